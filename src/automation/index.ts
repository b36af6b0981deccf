/**
 * Automation rules: per team, ordered; when an event of the event log comes, if all of a rule's conditions match,
 * its actions run, each once per event.
 */
export { AutomationModule } from './automation.module.js';
export { AutomationService } from './automation.service.js';
