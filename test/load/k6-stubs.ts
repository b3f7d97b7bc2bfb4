/**
 * Stand-ins for k6's built-in modules, so a k6 script can be imported and one iteration run by Node: enough
 * API for the scripts under load/k6 (http.post/get, expectedStatuses, setResponseCallback, check, sleep,
 * Trend/Rate/Counter/Gauge). `globalThis.__k6` records what the script did and sets the fake response.
 */
export const k6Stubs: Record<string, string> = {
  k6: `
    export function check(value, checks) {
      let ok = true;
      for (const [name, fn] of Object.entries(checks)) {
        const passed = !!fn(value);
        globalThis.__k6.checks.push({ name, passed });
        ok = ok && passed;
      }
      return ok;
    }
    export function sleep() {}
    export function group(_name, fn) { return fn(); }
    export default { check, sleep, group };
  `,
  'k6/http': `
    function request(method, url, body, params) {
      globalThis.__k6.requests.push({ method, url, body, params });
      return globalThis.__k6.respond({ method, url, body, params });
    }
    const http = {
      post: (url, body, params) => request('POST', url, body, params),
      get: (url, params) => request('GET', url, null, params),
      request,
      expectedStatuses: (...codes) => ({ codes }),
      setResponseCallback: (cb) => { globalThis.__k6.responseCallback = cb; },
    };
    export default http;
  `,
  'k6/metrics': `
    class Metric {
      constructor(name, isTime) { this.name = name; this.isTime = !!isTime; globalThis.__k6.metrics.push(this); }
      add(value, tags) { globalThis.__k6.samples.push({ metric: this.name, value, tags }); }
    }
    export class Trend extends Metric {}
    export class Rate extends Metric {}
    export class Counter extends Metric {}
    export class Gauge extends Metric {}
  `,
};
