import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The project's root folder, the same from src/ (tests) and dist/ (built). */
export const projectRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
