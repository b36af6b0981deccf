export * from './file-kinds.js';
export * from './file-content.js';
export * from './file-links.js';
export * from './file-upload.js';
