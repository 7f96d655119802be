export { apiApp } from './app.ts';
export { problem, PROBLEM_BASE, type Problem } from './problem.ts';
