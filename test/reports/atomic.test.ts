// Output files are written all-or-nothing: temp files + rename (issue 7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFilesAtomically, metricsCsv, eventsCsv } from '../../reports/index.js';

describe('atomic output writing', () => {
  it('writes every file and leaves no temporaries', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'kubesim-atomic-')), 'nested', 'out');
    writeFilesAtomically(dir, [
      { name: 'a.txt', content: 'A' },
      { name: 'b.txt', content: 'B' },
    ]);
    assert.deepEqual(readdirSync(dir).sort(), ['a.txt', 'b.txt']);
    assert.equal(readFileSync(join(dir, 'b.txt'), 'utf8'), 'B');
  });

  it('on a failure part-way, keeps the previous files intact and leaves nothing half-written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-atomic-'));
    writeFileSync(join(dir, 'a.txt'), 'old A');
    // A directory where the second file's temporary would go makes its write fail.
    const blocked = readdirSync(dir).length; // 1
    assert.equal(blocked, 1);
    const tag = `.tmp-${process.pid}-`;
    const realNow = Date.now;
    Date.now = (): number => 0;
    try {
      mkdirSync(join(dir, `b.txt${tag}0`));
      assert.throws(() =>
        writeFilesAtomically(dir, [
          { name: 'a.txt', content: 'new A' },
          { name: 'b.txt', content: 'new B' },
        ]),
      );
    } finally {
      Date.now = realNow;
    }
    assert.equal(readFileSync(join(dir, 'a.txt'), 'utf8'), 'old A', 'earlier file not replaced');
    assert.deepEqual(readdirSync(dir).sort(), ['a.txt', `b.txt${tag}0`], 'only the pre-existing entries remain');
  });

  it('CSV files have their headers even with no rows', () => {
    assert.equal(metricsCsv([]).split('\n')[0], 't,podsPending,podsRunning,podsReady,podsTerminating,boundThisSecond,storeLeader,storeTerm,schedulerLeader,controllerManagerLeader,apiRequests,apiErrors,partitionsActive,storeCommits');
    assert.equal(eventsCsv([]), 't,kind,subject,detail\n');
    assert.equal(eventsCsv([{ t: 1.5, kind: 'fault.injected', subject: 'crash a, b', detail: 'say "hi"' }]), 't,kind,subject,detail\n1.5,fault.injected,"crash a, b","say ""hi"""\n');
  });
});
