// 修改密码: the signed-in user's own password, given the current one.
// Their sessions on other devices end; this one stays.
import { api, errorText, ApiError } from './api';
import { h, toast } from './dom';
import { t } from './i18n';
import { getSession } from './session';

/** pwProblem says what is wrong with the new password before it is sent, or ''. */
export function pwProblem(next: string, again: string): string {
  if ([...next].length < 8) return 'pw.short';
  if (next !== again) return 'pw.mismatch';
  return '';
}

/** pwErrorText says why the server refused the change: a wrong current
 * password in words, else the server's own words (they name the field). */
export function pwErrorText(err: unknown): string {
  if (err instanceof ApiError && err.status === 400) return /current_password: .*wrong/.test(err.message) ? t('pw.wrong') : err.message;
  return errorText(err, t);
}

export function render(el: HTMLElement): void {
  const input = (name: string, auto: string) =>
    h('input', { type: 'password', name, autocomplete: auto, required: true, 'data-testid': 'pw-' + name });
  const current = input('current', 'current-password');
  const next = input('new', 'new-password');
  const again = input('again', 'new-password');
  const msg = h('p', { role: 'alert', 'data-testid': 'pw-message' });
  const submit = h('button', { type: 'submit', class: 'primary', 'data-testid': 'pw-submit' }, t('pw.submit'));
  const form = h('form', { class: 'card login pwform', 'data-testid': 'pw-form' },
    h('h1', {}, t('pw.title')),
    h('p', { class: 'muted small' }, getSession()?.user.name ?? ''),
    h('label', {}, t('pw.current'), current),
    h('label', {}, t('pw.new'), next),
    h('label', {}, t('pw.again'), again),
    h('p', { class: 'muted small' }, t('pw.hint')),
    msg, submit);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.className = 'error';
    const problem = pwProblem(next.value, again.value);
    if (problem) { msg.textContent = t(problem); return; }
    submit.disabled = true;
    msg.textContent = '';
    try {
      const r = await api.post<{ sessions_ended: number }>('/api/me/password', { current_password: current.value, password: next.value });
      form.reset();
      msg.className = 'ok';
      msg.textContent = t('pw.done', { n: r.sessions_ended });
      toast(t('pw.done', { n: r.sessions_ended }));
    } catch (err) {
      msg.textContent = pwErrorText(err);
    } finally {
      submit.disabled = false;
    }
  });
  el.append(form);
  current.focus();
}
