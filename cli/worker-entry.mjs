// Worker-thread entry: workers do not inherit the parent's tsx registration, so register it here
// and then load the TypeScript worker body.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
