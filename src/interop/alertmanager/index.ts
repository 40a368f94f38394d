/**
 * Alertmanager interop: the API v2 postable alerts Prometheus sends, the
 * webhook notification (payload version 4) Alertmanager sends, and their
 * mapping to alertbase alert inputs.
 */

export * from './config-import.js';
export * from './go-time.js';
export * from './mapping.js';
export * from './payloads.js';
export * from './receivers.js';
