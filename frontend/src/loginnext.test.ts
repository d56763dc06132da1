import { describe, expect, it } from 'vitest';
import { loginHash, nextHash } from './loginnext';

describe('the page asked for before logging in', () => {
  it.each([
    ['#/tasks/42', '#/login?next=%2Ftasks%2F42'],
    ['#/auditlog?action=task.', '#/login?next=%2Fauditlog%3Faction%3Dtask.'],
    ['#/audit', '#/login?next=%2Faudit'],
  ])('%s is opened again after the log-in', (asked, login) => {
    expect(loginHash(asked)).toBe(login);
    expect(nextHash(login)).toBe(asked);
  });

  it.each(['#/login', '#/login?next=%2Ftasks%2F1'])('%s, the log-in page, stays as it is', (hash) => {
    expect(loginHash(hash)).toBe(hash);
    expect(loginHash(loginHash('#/tasks/1'))).toBe('#/login?next=%2Ftasks%2F1');
  });

  it.each(['', '#', '#/', '#tasks/1', '#/Tasks/1', 'https://example.com/#/tasks/1'])(
    '%s keeps no page to return to', (asked) => {
      expect(loginHash(asked)).toBe('#/login');
    });

  it.each([
    ['#/login', ''],
    ['#/login?next=', ''],
    ['#/login?next=%2Flogin', ''],
    ['#/login?next=https%3A%2F%2Fexample.com%2F', ''],
    ['#/login?next=%2F%2Fexample.com', ''],
    ['#/login?next=javascript%3Aalert(1)', ''],
    ['#/map?next=%2Ftasks%2F1', ''],
  ])('%s opens the start page', (hash, want) => {
    expect(nextHash(hash)).toBe(want);
  });
});
