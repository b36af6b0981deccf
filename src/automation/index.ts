/**
 * Automation rules: per team, ordered; when an event of the event log comes, if all of a rule's conditions match,
 * its actions run, each once per event. Ports for the actions other modules provide (tickets, outgoing webhooks).
 */
export { AutomationModule } from './automation.module.js';
export { AutomationService } from './automation.service.js';
export { AUTOMATION_TICKETS, AUTOMATION_WEBHOOKS } from './automation.ports.js';
export type { AutomationTickets, AutomationWebhooks } from './automation.ports.js';
