import { Batcher } from '../../src/platform/batcher';
import '../../src/main';

// The real process (src/main.ts) for crash tests, answering its parent's "batcher-waiting" question over
// IPC with how many calls wait in its batchers, so a test waits for calls to reach a queue instead of sleeping.
const batchers = new Set<Batcher<unknown, unknown>>();
const submit = Batcher.prototype.submit;
Batcher.prototype.submit = function (this: Batcher<unknown, unknown>, item: unknown) {
  batchers.add(this);
  return submit.call(this, item);
};
process.on('message', (message) => {
  if (message === 'batcher-waiting') process.send!({ batcherWaiting: [...batchers].reduce((sum, batcher) => sum + batcher.waitingCount, 0) });
});
