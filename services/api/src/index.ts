export { apiApp } from './app.ts';
