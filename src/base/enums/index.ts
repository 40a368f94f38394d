export * from './alert-level.js';
export * from './alert-status.js';
export * from './define-enum.js';
export * from './environment.js';
export * from './notification-channel-type.js';
export * from './priority.js';
export * from './role.js';
export * from './tenant-tier.js';
