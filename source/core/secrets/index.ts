export * from './redact.js';
export * from './chunks.js';
export * from './credentials.js';
