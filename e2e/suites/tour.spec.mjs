// A tour of every page for every role at desktop and phone width: every
// link of the top bar, a task's page, and the map with every layer on at
// several zooms. The page guard of ../fixtures.mjs fails the run on any response
// of 400 or more, any failed request and any console error met on the way
// (a tour that only looked at what it asserted once passed while 33-72
// tile requests a page failed).
import { test, quiet, desktop, phone } from '../fixtures.mjs';

const roles = ['admin', 'nongye', 'hunyuan', 'wangge'];

for (const name of roles) {
  for (const [w, vp] of [['desktop', desktop], ['phone', phone]]) {
    test(`${name} at ${w} width: tour`, async ({ suite: { url, shots, page, login, check } }) => {
      const p = await page(vp, `${name} at ${w} width: tour`);
      await quiet(p, 1);
      await login(p, name);
      await quiet(p);
      const links = await p.$$eval('#topbar nav a', (as) => as.map((a) => a.getAttribute('href')));
      const seen = [];
      const wide = [];
      // Nothing sticks out sideways: a page wider than the screen scrolls
      // sideways on a phone (tables scroll inside their own box).
      const sideways = async (what) => {
        const [sw, iw] = await p.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        if (sw > iw + 1) wide.push(`${what} ${sw} px`);
      };
      for (const href of links) {
        await p.goto(url + '/' + href);
        await quiet(p);
        const route = href.replace('#/', '');
        seen.push(route);
        await sideways(route);
        await p.screenshot({ path: `${shots}/${route}-${name}-${w}.png` });
      }
      // A task's page, the first of the user's list.
      const tasks = (await (await p.request.get(url + '/api/tasks?limit=1')).json()).tasks ?? [];
      if (tasks.length) {
        await p.goto(`${url}/#/tasks/${tasks[0].id}`);
        await quiet(p);
        seen.push('task ' + tasks[0].id);
        await sideways('task');
        await p.screenshot({ path: `${shots}/task-${name}-${w}.png`, fullPage: true });
      }
      check(wide.length === 0, `${name} at ${w} width: no page wider than the screen (${wide.join(', ')})`);
      // The map with every layer on, zoomed in and out.
      await p.goto(url + '/#/map');
      await p.waitForSelector('[data-layer]', { state: 'attached', timeout: 20000 });
      await p.$$eval('[data-layer]', (cbs) => cbs.forEach((cb) => { if (!cb.checked) cb.click(); }));
      await quiet(p);
      // Every time window, then back to the first.
      const windows = await p.$$eval('[data-testid=time-window] option', (os) => os.map((o) => o.value));
      for (const v of [...windows.filter((v) => v !== 'custom'), windows[0]]) {
        await p.$eval('[data-testid=time-window]', (el, v) => { el.value = v; el.dispatchEvent(new Event('change')); }, v);
        await quiet(p);
      }
      const zooms = [];
      for (const dz of [1, 2, -3.25]) {
        zooms.push(await p.evaluate((dz) => { const m = window.skygridMap; m.setZoom(m.getZoom() + dz, { animate: false }); return m.getZoom(); }, dz));
        await quiet(p);
      }
      seen.push(`map with every layer at zooms ${zooms.join(', ')}`);
      await p.screenshot({ path: `${shots}/map-all-layers-${name}-${w}.png` });
      check(seen.length >= 3, `${name} at ${w} width: toured ${seen.join(', ')}`);
      await p.context().close();
    });
  }
}
