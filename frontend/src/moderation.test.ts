import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { setLang } from './i18n';
import { moderationRefusal, rewardProblem } from './moderation';

setLang('zh');

// A reward's amount is checked before it is sent (the server's refusal
// of an empty box was English): above 0, at most the largest, to the fen.
describe('rewardProblem', () => {
  it.each([['', false], ['  ', false], ['0', false], ['-5', false], ['abc', false], ['100001', false], ['0.001', false],
    ['50', true], ['0.5', true], ['12.34', true], ['100000', true]])('%j', (typed, ok) => {
    const said = rewardProblem(typed as string);
    expect(said === '').toBe(ok);
    if (!ok) expect(said).toBe('请填写奖励金额：大于 0 元，不超过 100000 元，最多到分');
  });
});

// A report handled first in another tab or by another official, as the
// store's ECONFLICT messages say it, is said in Chinese.
describe('moderationRefusal', () => {
  it.each([
    ['public report 4 is already accepted', '这条举报刚被处理过（已受理），已刷新'],
    ['public report 4 is already rejected', '这条举报刚被处理过（不予受理），已刷新'],
    ['public report 4 is rejected: only an accepted report is rewarded', '这条举报刚被处理过（不予受理），已刷新'],
    ['public report 4 was already rewarded 50.00 yuan', '这条举报已经记录过奖励'],
  ])('%s', (msg, want) => { expect(moderationRefusal(new ApiError(409, 'conflict', msg))).toBe(want); });
  it('an amount the server refused', () => {
    expect(moderationRefusal(new ApiError(400, 'invalid', 'yuan 0: want an amount above 0 and at most 100000, in fen at most'))).not.toMatch(/[a-z]{3,}/);
  });
});
