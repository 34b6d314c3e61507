// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

// Looks at the running playground the way a person would, in Debian's chromium driven by
// puppeteer-core: the dashboard's resources (the ensemble, its replicas and their roles, the
// ticket office's instances), the ticket office's page (options, members, tickets left; a ticket
// bought with its Buy button and the count going down) and the dashboard's traces of that sale. PlaygroundBrowserTests
// starts the AppHost and runs this script; it can also be run by hand against a running playground:
//
//   node playground.mjs --dashboard http://localhost:15080/ --screenshots /tmp/shots
//
// Every wait is bounded. Each step prints a line; a failed check throws, which ends the script
// with exit code 1 and the reason on stderr. The last line on stdout is `RESULT {json}` with what
// was seen, which the test checks again.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';

const { values: options } = parseArgs({
  options: {
    dashboard: { type: 'string' },
    screenshots: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    profile: { type: 'string' },
    // Per wait, not in all: the test bounds the whole script as well.
    'wait-ms': { type: 'string', default: '60000' },
  },
});

if (!options.dashboard || !options.screenshots) {
  console.error('usage: node playground.mjs --dashboard <url, with its login token if any> --screenshots <dir> [--chromium <path>] [--profile <dir>] [--wait-ms <n>]');
  process.exit(2);
}

const dashboard = new URL(options.dashboard);
const waitMs = Number.parseInt(options['wait-ms'], 10);
const replicas = ['zk-1', 'zk-2', 'zk-3'];
fs.mkdirSync(options.screenshots, { recursive: true });
const profile = options.profile ?? fs.mkdtempSync(path.join(os.tmpdir(), 'zkaspire-chromium-'));

function step(message) {
  console.log(`step: ${message}`);
}

function fail(message) {
  throw new Error(message);
}

async function screenshot(page, name) {
  const file = path.join(options.screenshots, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`screenshot: ${file}`);
}

// The page of the ticket office is static HTML with nothing to wait on: it is read again after this
// pause, within a deadline (a poll, as a person presses reload).
function pollInterval() {
  return new Promise(resolve => setTimeout(resolve, 250));
}

// Waits until `probe` (run in the page) returns a truthy value, and returns it; on timeout fails
// with `what` and the last value the probe saw, so a failure says what the page showed instead.
async function waitFor(page, what, probe, ...args) {
  let last;
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    // Functions among the arguments (the readers below) are passed as source, since only JSON
    // crosses into the page otherwise.
    const call = `(${probe})(${args.map(a => typeof a === 'function' ? a.toString() : JSON.stringify(a)).join(', ')})`;
    last = await page.evaluate(call).catch(e => ({ error: String(e) }));
    if (last && last.ok) {
      return last;
    }
    // The dashboard (Blazor Server) re-renders when the server pushes a change: the next DOM
    // change is the event to look again on (at most 2 s later, in case it came in between). A
    // navigation meanwhile ends the evaluation; the probe then runs in the new page.
    await page.evaluate(() => new Promise(resolve => {
      const observer = new MutationObserver(() => { observer.disconnect(); resolve(); });
      observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      setTimeout(() => { observer.disconnect(); resolve(); }, 2000);
    })).catch(() => {});
  }
  fail(`${what}: not seen within ${waitMs} ms; last seen: ${JSON.stringify(last)}`);
}

// The resources grid: one row per resource (tr.resource-row), name in the first cell, state in
// the second, URLs in the fifth.
function readResources() {
  const rows = [...document.querySelectorAll('tr.resource-row')].map(r => {
    const cells = [...r.querySelectorAll('td')];
    return {
      name: cells[0]?.innerText.trim(),
      state: cells[1]?.innerText.trim(),
      urls: [...(cells[4]?.querySelectorAll('a[href]') ?? [])].map(a => a.href),
    };
  });
  return rows;
}

// The details pane's property grids as name → value (the Resource section, health checks and the
// rest), and its title (e.g. "Executable: zk-1").
function readDetails() {
  const pane = document.querySelector('.resource-details-layout');
  if (!pane) {
    return null;
  }
  const values = {};
  for (const row of pane.querySelectorAll('tr.fluent-data-grid-row')) {
    const cells = [...row.querySelectorAll('td')].map(c => c.innerText.trim());
    if (cells.length >= 2 && cells[0] && !(cells[0] in values)) {
      values[cells[0]] = cells.slice(1).join(' | ');
    }
  }
  return { title: pane.closest('.details-container')?.innerText.split('\n')[0]?.trim() ?? '', text: pane.innerText, values };
}

// Clicks the first element under `scope` (an XPath) whose text is `text`, once it is visible
// (menus and panes open a moment after the click that opens them).
async function clickText(page, scope, text) {
  const selector = `xpath/${scope}/descendant-or-self::*[normalize-space(.)=${JSON.stringify(text)}]`;
  const element = await page.waitForSelector(selector, { visible: true, timeout: waitMs }).catch(e => fail(`no visible element with the text ${text} within ${waitMs} ms: ${e.message}`));
  await element.click();
}

// Scrolls the details pane to the row named `name`, so that its screenshot shows it.
async function revealDetailsRow(page, name) {
  return await page.evaluate(name => {
    const rows = [...document.querySelectorAll('.resource-details-layout tr.fluent-data-grid-row')];
    const row = rows.find(r => r.querySelector('td')?.innerText.trim() === name);
    row?.scrollIntoView({ block: 'center' });
    return !!row;
  }, name);
}

const result = {};
const browser = await puppeteer.launch({
  executablePath: options.chromium,
  headless: true,
  userDataDir: profile,
  // What chromium needs in a container as root and without a display; no network of its own.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  protocolTimeout: waitMs,
});

try {
  const page = await browser.newPage();
  page.setDefaultTimeout(waitMs);
  await page.setViewport({ width: 1600, height: 1200 });

  // 1. The resources page: the ensemble, its three replicas and the two ticket-office instances,
  //    all Running (an unhealthy resource shows "Running (Unhealthy)" in the State column).
  step(`opening the dashboard at ${dashboard.origin}`);
  await page.goto(dashboard.href, { waitUntil: 'domcontentloaded' });
  const resources = await waitFor(page, 'the resources page with zk, zk-1..3 and two ticket-office instances, all Running', (replicas, readResources) => {
    const rows = readResources();
    const names = ['zk', ...replicas];
    const offices = rows.filter(r => r.name?.startsWith('ticket-office-'));
    const ok = names.every(n => rows.some(r => r.name === n && r.state === 'Running'))
      && offices.length === 2 && offices.every(o => o.state === 'Running');
    return { ok, rows };
  }, replicas, readResources);
  result.resources = resources.rows.map(r => ({ name: r.name, state: r.state }));
  await screenshot(page, '01-resources');

  // 2. The ensemble's details: Healthy, every replica serving, and who leads (its health check's
  //    text, shown without any option).
  step('opening the details of zk');
  await clickText(page, '//tr[contains(@class,"resource-row")]', 'zk');
  const ensemble = await waitFor(page, 'zk Healthy with 3 of 3 replicas serving and a leader', readDetails => {
    const details = readDetails();
    if (!details) {
      return { ok: false };
    }
    const check = details.values['zk_check'] ?? '';
    const leader = /leader: (zk-\d+)/.exec(check)?.[1];
    const ok = / zk$/.test(details.title) && details.values['Health state'] === 'Healthy' && check.startsWith('Healthy') && check.includes('3 of 3 replicas serve') && !!leader;
    return { ok, leader, check, title: details.title, health: details.values['Health state'] };
  }, readDetails);
  result.ensemble = { health: ensemble.health, check: ensemble.check, leader: ensemble.leader };
  await revealDetailsRow(page, 'zk_check');
  await screenshot(page, '02-zk');

  // 3. Each replica's role and zxid, as a person sees them on opening its details: the
  //    dashboard hides the properties it does not know until "Show all properties" is chosen,
  //    except highlighted ones, which zookeeper.role and zookeeper.zxid are. The view options are
  //    left alone, so a property that lost its highlight fails here.
  result.replicas = {};
  for (const replica of replicas) {
    step(`opening the details of ${replica}`);
    await clickText(page, '//tr[contains(@class,"resource-row")]', replica);
    const seen = await waitFor(page, `${replica}'s role, zxid and server id`, (replica, readDetails) => {
      const details = readDetails();
      if (!details) {
        return { ok: false };
      }
      const v = details.values;
      const ok = details.title.endsWith(` ${replica}`) && ['leader', 'follower'].includes(v['zookeeper.role'])
        && /^0x[0-9a-f]+$/.test(v['zookeeper.zxid'] ?? '') && v['Health state'] === 'Healthy';
      return { ok, title: details.title, role: v['zookeeper.role'], zxid: v['zookeeper.zxid'], serverId: v['zookeeper.server.id'], health: v['Health state'], check: v[`${replica}_check`] };
    }, replica, readDetails);
    result.replicas[replica] = { role: seen.role, zxid: seen.zxid, serverId: seen.serverId, health: seen.health, check: seen.check };
    await revealDetailsRow(page, 'zookeeper.role');
    await screenshot(page, `03-${replica}`);
  }
  const roles = Object.values(result.replicas).map(r => r.role);
  if (roles.filter(r => r === 'leader').length !== 1 || roles.filter(r => r === 'follower').length !== 2) {
    fail(`expected one leader and two followers, saw ${JSON.stringify(result.replicas)}`);
  }
  if (result.replicas[result.ensemble.leader]?.role !== 'leader') {
    fail(`zk names ${result.ensemble.leader} as leader, but the replicas say ${JSON.stringify(result.replicas)}`);
  }

  // 4. The ticket office's page, at the URL the dashboard links from its instances.
  const officeUrl = resources.rows.find(r => r.name.startsWith('ticket-office-'))?.urls.find(u => u.startsWith('http'));
  if (!officeUrl) {
    fail(`no URL for the ticket office on the resources page: ${JSON.stringify(resources.rows)}`);
  }
  result.ticketOfficeUrl = officeUrl;
  step(`opening the ticket office at ${officeUrl}`);
  const office = await browser.newPage();
  office.setDefaultTimeout(waitMs);
  await office.setViewport({ width: 1200, height: 800 });
  // The page is server-rendered HTML: what it shows is read from its elements (ids and classes
  //  that OfficePage renders), as a person reads the page.
  const readPage = () => office.evaluate(() => {
    const text = id => document.getElementById(id)?.innerText.trim();
    return {
      instance: text('instance'),
      server: text('server'),
      remaining: Number.parseInt(text('remaining') ?? '', 10),
      options: { price: Number.parseFloat(text('price') ?? ''), saleOpen: text('sale-open'), perUserLimit: Number.parseInt(text('per-user-limit') ?? '', 10) },
      members: [...document.querySelectorAll('#members tr.member')].map(r => ({
        id: r.querySelector('.member-id')?.innerText.trim(),
        endpoints: [...r.querySelectorAll('a.member-endpoint')].map(a => a.href),
      })),
      purchase: text('purchase'),
    };
  });
  const readOffice = async () => {
    const response = await office.goto(officeUrl, { waitUntil: 'load' });
    if (!response?.ok()) {
      fail(`GET ${officeUrl}: ${response?.status()} ${await response?.text()}`);
    }
    return await readPage();
  };
  let before = await readOffice();
  // Both instances register at start; the page lists the members it sees now.
  for (const deadline = Date.now() + waitMs; before.members?.length !== 2 && Date.now() < deadline;) {
    await pollInterval();
    before = await readOffice();
  }
  const o = before.options;
  if (Number.isNaN(o.price) || o.saleOpen !== 'yes' || !(o.perUserLimit >= 1)) {
    fail(`the page should show the options (price, sale open, per-user limit): ${JSON.stringify(before)}`);
  }
  if (!Number.isInteger(before.remaining) || before.remaining < 1) {
    fail(`the page should show the tickets left: ${JSON.stringify(before)}`);
  }
  if (!/^127\.0\.0\.1:\d+$/.test(before.server ?? '')) {
    fail(`the page should show the ZooKeeper server as host:port: ${JSON.stringify(before)}`);
  }
  if (before.members.length !== 2 || !before.members.every(m => m.id && m.endpoints.some(e => e.startsWith('http://')))) {
    fail(`the page should list both instances with their endpoints: ${JSON.stringify(before)}`);
  }
  if (!before.members.some(m => m.id === before.instance)) {
    fail(`the instance that answered (${before.instance}) should be among the members: ${JSON.stringify(before.members)}`);
  }
  result.office = { instance: before.instance, server: before.server, options: o, remaining: before.remaining, members: before.members.map(m => m.id) };
  await screenshot(office, '04-ticket-office');

  // 5. Buy one ticket as a person does: type a name, press Buy. The name has characters HTML
  //    gives a meaning to, so the page must encode it to show it as typed. The answer is the
  //    page again, from the instance that sold, with the sale's result and one ticket fewer;
  //    then reload until the count has dropped by one: the reload may be answered by the other
  //    instance, whose ZooKeeper server may apply the sale a moment later (reads are
  //    sequentially consistent, not linearizable).
  const user = `O'Brien <browser-${process.pid}> & co`;
  step(`buying one ticket for ${user} with the page's form`);
  await office.type('input[name="user"]', user);
  await office.$eval('input[name="count"]', input => { input.value = '1'; });
  const [response] = await Promise.all([
    office.waitForNavigation({ waitUntil: 'load' }),
    clickText(office, '//form', 'Buy'),
  ]);
  const sold = await readPage();
  const expected = `Sold 1 to ${user} for ${o.price}; ${before.remaining - 1} left.`;
  if (response?.status() !== 200 || sold.purchase !== expected || sold.remaining !== before.remaining - 1) {
    fail(`buying one ticket at ${o.price} with ${before.remaining} left: expected "${expected}", saw ${response?.status()} ${JSON.stringify(sold)}`);
  }
  await screenshot(office, '05-ticket-office-bought');
  let after = await readOffice();
  for (const deadline = Date.now() + waitMs; after.remaining !== before.remaining - 1 && Date.now() < deadline;) {
    await pollInterval();
    after = await readOffice();
  }
  if (after.remaining !== before.remaining - 1) {
    fail(`after the sale the page should show ${before.remaining - 1} tickets left: ${JSON.stringify(after)}`);
  }
  result.purchase = { user, shown: sold.purchase, remainingShownAfter: after.remaining };
  await screenshot(office, '05-ticket-office-after-buy');
  await office.close();

  // 6. The traces page, for the ticket office: the sale's trace (POST /, the page's form), with
  //    spans from the instance and from the replica that served its ZooKeeper requests (server spans join the
  //    caller's trace).
  step('opening the traces of the ticket office');
  await page.goto(new URL('traces/resource/ticket-office', dashboard).href, { waitUntil: 'domcontentloaded' });
  const traces = await waitFor(page, 'the sale\'s trace (ticket-office: POST /) with spans from a ticket-office instance and a zk replica', () => {
    // The name cell's title is "Name: <resource>: <span>\nTrace Id: <id>"; rows are oldest first.
    const rows = [...document.querySelectorAll('tr.fluent-data-grid-row')].map(r => {
      const cells = [...r.querySelectorAll('td')];
      const title = cells[1]?.getAttribute('title') ?? '';
      return {
        name: /^Name: (.*)$/m.exec(title)?.[1]?.trim(),
        traceId: /^Trace Id: (\w+)/m.exec(title)?.[1],
        spans: [...(cells[2]?.querySelectorAll('.trace-service-tag') ?? [])].map(t => t.innerText.trim()),
      };
    }).filter(r => r.name);
    const buy = rows.filter(r => r.name === 'ticket-office: POST /').at(-1);
    const ok = !!buy && buy.spans.some(s => s.startsWith('ticket-office-')) && buy.spans.some(s => /^zk-\d+ /.test(s));
    return { ok, buy, names: [...new Set(rows.map(r => r.name))] };
  });
  result.traces = { names: traces.names, buy: traces.buy };
  await screenshot(page, '06-traces');

  // 7. The sale's trace: the HTTP request, the sale, the lock and the ZooKeeper requests.
  step(`opening the sale's trace ${traces.buy.traceId}`);
  const buyRow = await page.evaluateHandle(id => [...document.querySelectorAll('tr.fluent-data-grid-row td')].find(c => (c.getAttribute('title') ?? '').includes(`Trace Id: ${id}`)), traces.buy.traceId);
  await buyRow.asElement().click();
  const trace = await waitFor(page, 'the sale\'s spans: POST /, ticket-office buy, zookeeper.lock.acquire, multi, zookeeper.lock.release', traceId => {
    const names = [...document.querySelectorAll('tr.fluent-data-grid-row')].map(r => r.querySelector('td')?.innerText.split('\n')[0].trim()).filter(n => n);
    // A client span's name is followed by the replica it went to ("multi zk-2") while that
    // replica's own span is not in the trace; once the replica has exported it, the dashboard
    // shows that span (zookeeper.multi) beneath the client's instead.
    const has = name => names.some(n => n === name || n.startsWith(`${name} `));
    const ok = location.pathname.endsWith(`/traces/detail/${traceId}`) && ['POST /', 'ticket-office buy', 'zookeeper.lock.acquire', 'multi', 'zookeeper.lock.release'].every(has)
      && names.some(n => /^multi zk-\d+$/.test(n) || n === 'zookeeper.multi');
    return { ok, names, path: location.pathname };
  }, traces.buy.traceId);
  result.trace = { spans: trace.names };
  await screenshot(page, '07-trace-buy');

  console.log(`RESULT ${JSON.stringify(result)}`);
} finally {
  await browser.close();
  if (!options.profile) {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}
