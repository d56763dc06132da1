import { describe, expect, it } from 'vitest';
import { outcomeWords } from './report';

describe('outcomeWords says a receipt outcome in Chinese', () => {
  const base = { receipt: 'K7PM3-XQ9RT', kind: 'straw_burning', county: '云州区', created_at: '2026-11-05T02:00:00Z', rewarded: false };
  it.each([
    ['pending', { state: 'pending' }, '已收到，等待区县工作人员审核'],
    ['rejected', { state: 'rejected', reason: '照片与举报内容不符' }, '不予受理：照片与举报内容不符'],
    ['accepted', { state: 'accepted', task_state: 'acknowledged' }, '已受理，网格员已签收，正在现场核查'],
    ['closed', { state: 'accepted', task_state: 'closed', finding: 'straw_burning' }, '核查结果：确有秸秆焚烧'],
    ['rewarded', { state: 'accepted', task_state: 'closed', finding: 'rectified', rewarded: true }, '已给予奖励，感谢您的监督'],
  ])('%s', (_name, o, want) => {
    const lines = outcomeWords({ ...base, ...o });
    expect(lines[0]).toBe('查询码 K7PM3-XQ9RT · 秸秆焚烧 · 云州区');
    expect(lines[1]).toBe('提交时间 2026/11/5 10:00:00');
    expect(lines).toContain(want);
  });
});
