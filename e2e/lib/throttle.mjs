// throttle opens a CDP session on a page and slows it as a cheap phone on
// a slow network is: the cache off, the network shaped (net: the
// arguments of Network.emulateNetworkConditions) and the CPU rate times
// slower. It returns the session (its Network events are on).
export async function throttle(p, net, rate) {
  const cdp = await p.context().newCDPSession(p);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', net);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return cdp;
}
