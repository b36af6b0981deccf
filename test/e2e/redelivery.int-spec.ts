import { describe } from '@jest/globals';
import { itStoresRedeliveredWebhooksOnce } from '../support/redelivery.scenario.js';

describe('Redelivered webhooks on the embedded database', () => {
  itStoresRedeliveredWebhooksOnce(() => ({}), () => ({ embedded: true }));
});
