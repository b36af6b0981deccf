// The catalog's face to the other contexts: its module and the search the inbox's product cards will use.
export { CatalogModule } from './catalog.module.js';
export { CatalogService } from './catalog.service.js';
export type { CardProduct } from './catalog.service.js';
