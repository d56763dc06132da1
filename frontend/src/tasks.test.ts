import { describe, expect, it } from 'vitest';
import { sortTasks } from './tasks';

const now = Date.parse('2023-10-10T00:00:00Z');
const tasks = [
  { id: 1, state: 'acknowledged', report_due: '2023-10-12T00:00:00Z' },
  { id: 2, state: 'dispatched', ack_due: '2023-10-09T00:00:00Z' },
  { id: 3, state: 'closed' },
  { id: 4, state: 'dispatched', ack_due: '2023-10-11T00:00:00Z' },
  { id: 5, state: 'reported' },
];

describe('sortTasks', () => {
  it('puts overdue first, then the nearest deadline, closed last', () => {
    expect(sortTasks(tasks, false, now).map((x) => x.id)).toEqual([2, 4, 1, 5, 3]);
  });
  it('groups by state for reviewers, overdue first', () => {
    expect(sortTasks(tasks, true, now).map((x) => x.id)).toEqual([2, 4, 1, 5, 3]);
  });
});
