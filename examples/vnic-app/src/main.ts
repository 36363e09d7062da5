import { runVnicApp } from './app.js';

await runVnicApp();
