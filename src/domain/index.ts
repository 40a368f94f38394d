export * from './alert.js';
export * from './alert-rule.js';
export * from './api-key.js';
export * from './audit-event.js';
export * from './notification-channel.js';
export * from './silence.js';
export * from './tenant.js';
