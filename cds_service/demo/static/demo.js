// The demo page: an EHR-like view of one sample patient that calls the service's real CDS Hooks
// endpoints. Prefetch is built from discovery's templates (read through /demo/fhir), cards are
// rendered as an EHR would, suggestions change the order panel, and feedback is sent for real.
// Plain JavaScript, no libraries, no network beyond this service.
"use strict";

(() => {
  const USER = "Practitioner/demo-oncologist";
  const UCUM = "http://unitsofmeasure.org";
  const ORDER = { critical: 0, warning: 1, info: 2 };
  const state = { patientId: null, services: {}, drugs: [], drafts: [], seq: 0, timer: null };
  const $ = (sel) => document.querySelector(sel);
  const esc = HER2Markdown.escapeHtml;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  async function getJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const why = data && data.issue ? data.issue[0].diagnostics : response.status;
      throw new Error(`${url}: ${why}`);
    }
    return data;
  }

  // --- CDS Hooks client ------------------------------------------------------------------

  async function discover() {
    const doc = await getJson("/cds-services");
    for (const service of doc.services) state.services[service.hook] = service;
  }

  function fill(template) {
    return template
      .replace(/\{\{\s*context\.patientId\s*\}\}/g, state.patientId)
      .replace(/\{\{\s*context\.userId\s*\}\}/g, USER);
  }

  async function prefetchFor(service) {
    const prefetch = {};
    const keys = Object.entries(service.prefetch || {});
    await Promise.all(
      keys.map(async ([key, template]) => {
        const response = await fetch(`/demo/fhir/${fill(template)}`);
        if (response.ok) prefetch[key] = await response.json(); // failed reads are left out
      }),
    );
    return prefetch;
  }

  function draftBundle() {
    return { resourceType: "Bundle", type: "collection", entry: state.drafts.map((d) => ({ resource: d })) };
  }

  async function callHook(hook) {
    const service = state.services[hook];
    const context = { userId: USER, patientId: state.patientId };
    if (hook !== "patient-view") context.draftOrders = draftBundle();
    if (hook === "order-select") {
      context.selections = state.drafts.map((d) => `${d.resourceType}/${d.id}`);
    }
    const body = { hook, hookInstance: uuid(), context, prefetch: await prefetchFor(service) };
    const response = await postJson(`/cds-services/${service.id}`, body);
    return { service, cards: response.cards || [] };
  }

  async function sendFeedback(service, item) {
    const body = { feedback: [{ ...item, outcomeTimestamp: new Date().toISOString() }] };
    return postJson(`/cds-services/${service.id}/feedback`, body);
  }

  // --- Cards -----------------------------------------------------------------------------

  function applyActions(actions) {
    for (const action of actions || []) {
      if (action.type === "create" && action.resource) {
        const resource = JSON.parse(JSON.stringify(action.resource));
        state.seq += 1;
        resource.id = resource.id || `suggested-${state.seq}`;
        resource.subject = resource.subject || { reference: `Patient/${state.patientId}` };
        state.drafts.push(resource);
      } else if (action.type === "update" && action.resource) {
        const i = state.drafts.findIndex((d) => d.id === action.resource.id);
        if (i >= 0) state.drafts[i] = JSON.parse(JSON.stringify(action.resource));
        else state.drafts.push(JSON.parse(JSON.stringify(action.resource)));
      } else if (action.type === "delete") {
        const id = String(action.resourceId || "").split("/").pop();
        state.drafts = state.drafts.filter((d) => d.id !== id);
      }
    }
    renderOrders();
  }

  function cardElement(card, service, onChange) {
    const el = document.createElement("article");
    const rule = card.source && card.source.topic ? card.source.topic.code : "";
    el.className = `card card-${card.indicator}`;
    el.dataset.rule = rule;
    el.dataset.indicator = card.indicator;
    const source = card.source || {};
    const sourceHtml = source.url
      ? `<a href="${esc(source.url)}" target="_blank" rel="noopener noreferrer">${esc(source.label || source.url)}</a>`
      : esc(source.label || "");
    const links = (card.links || [])
      .filter((l) => /^https?:\/\//i.test(l.url))
      .map((l) => `<a class="card-link" href="${esc(l.url)}" target="_blank" rel="noopener noreferrer">${esc(l.label)}</a>`)
      .join(" ");
    el.innerHTML = `
      <header><span class="badge">${esc(card.indicator)}</span>
        <h3 class="summary">${esc(card.summary)}</h3></header>
      <details class="detail"><summary>Details</summary>${HER2Markdown.render(card.detail || "")}</details>
      <p class="source">Source: ${sourceHtml}</p>
      ${links ? `<p class="links">${links}</p>` : ""}
      <div class="actions"></div><p class="feedback-status" aria-live="polite"></p>`;
    if (card.indicator !== "info") el.querySelector("details").open = true;
    const actions = el.querySelector(".actions");
    const status = el.querySelector(".feedback-status");
    for (const suggestion of card.suggestions || []) {
      const button = document.createElement("button");
      button.className = "suggestion" + (suggestion.isRecommended ? " recommended" : "");
      button.textContent = suggestion.label;
      button.addEventListener("click", async () => {
        applyActions(suggestion.actions);
        el.classList.add("accepted");
        actions.querySelectorAll("button, select").forEach((b) => (b.disabled = true));
        if (card.uuid && suggestion.uuid) {
          await sendFeedback(service, {
            card: card.uuid,
            outcome: "accepted",
            acceptedSuggestions: [{ id: suggestion.uuid }],
          });
          status.textContent = "Accepted; feedback sent.";
          el.dataset.feedback = "accepted";
        }
        onChange();
      });
      actions.appendChild(button);
    }
    if (card.uuid) {
      const reasons = card.overrideReasons || [];
      const select = document.createElement("select");
      select.className = "override-reason";
      select.innerHTML = `<option value="">Reason (optional)…</option>` +
        reasons.map((r, i) => `<option value="${i}">${esc(r.display || r.code)}</option>`).join("");
      const dismiss = document.createElement("button");
      dismiss.className = "dismiss";
      dismiss.textContent = "Dismiss";
      dismiss.addEventListener("click", async () => {
        const item = { card: card.uuid, outcome: "overridden" };
        if (select.value !== "") item.overrideReason = { reason: reasons[Number(select.value)] };
        await sendFeedback(service, item);
        el.dataset.feedback = "overridden";
        el.classList.add("dismissed");
        status.textContent = "Dismissed; feedback sent.";
      });
      if (reasons.length) actions.appendChild(select);
      actions.appendChild(dismiss);
    }
    return el;
  }

  function renderCards(container, result, onChange, emptyText, title) {
    container.innerHTML = title ? `<h3 class="hook-title">${esc(title)}</h3>` : "";
    const cards = [...result.cards].sort((a, b) => ORDER[a.indicator] - ORDER[b.indicator]);
    if (!cards.length) {
      container.insertAdjacentHTML("beforeend", `<p class="no-cards">${esc(emptyText)}</p>`);
    }
    for (const card of cards) container.appendChild(cardElement(card, result.service, onChange));
    container.dataset.loaded = String(Date.now());
  }

  function showError(container, error) {
    container.innerHTML = `<p class="error">${esc(error.message)}</p>`;
  }

  // --- Order panel -----------------------------------------------------------------------

  function drugById(id) {
    return state.drugs.find((d) => d.id === id);
  }

  function drugOf(resource) {
    const concept = resource.medicationCodeableConcept || {};
    const code = ((concept.coding || [])[0] || {}).code;
    return state.drugs.find((d) => (code && d.coding && d.coding.code === code) ||
      (concept.text && concept.text.toLowerCase() === d.text.toLowerCase()));
  }

  function timing(intervalDays) {
    const days = Number(intervalDays) || 21;
    if (days < 1) return { repeat: { frequency: Math.round(1 / days), period: 1, periodUnit: "d" } };
    return { repeat: { frequency: 1, period: days, periodUnit: "d" } };
  }

  function intervalOf(resource) {
    const repeat = (((resource.dosageInstruction || [])[0] || {}).timing || {}).repeat || {};
    const unit = { d: 1, wk: 7, mo: 30, h: 1 / 24 }[repeat.periodUnit || "d"] || 1;
    const days = (repeat.period || 21) * unit / (repeat.frequency || 1);
    return Math.round(days * 100) / 100;
  }

  function doseOf(resource) {
    const dosage = (resource.dosageInstruction || [])[0] || {};
    const quantity = ((dosage.doseAndRate || [])[0] || {}).doseQuantity || {};
    return quantity.value;
  }

  function medicationRequest(drug, schedule) {
    state.seq += 1;
    const concept = { text: drug.text };
    if (drug.coding) concept.coding = [drug.coding];
    return {
      resourceType: "MedicationRequest",
      id: `draft-${state.seq}`,
      status: "draft",
      intent: "order",
      subject: { reference: `Patient/${state.patientId}` },
      authoredOn: new Date().toISOString().slice(0, 10),
      medicationCodeableConcept: concept,
      dosageInstruction: [{
        route: { text: drug.route },
        timing: timing(schedule.intervalDays),
        doseAndRate: [{ doseQuantity: { value: schedule.dose, unit: "mg", system: UCUM, code: "mg" } }],
      }],
    };
  }

  function setDose(resource, doseText, intervalDays) {
    resource.dosageInstruction = resource.dosageInstruction && resource.dosageInstruction.length
      ? resource.dosageInstruction.slice(0, 1) : [{}];
    const dosage = resource.dosageInstruction[0];
    delete dosage.text; // the written instruction no longer matches an edited dose
    dosage.timing = timing(intervalDays);
    const value = doseText === "" ? undefined : Number(doseText);
    dosage.doseAndRate = [{ doseQuantity: { value, unit: "mg", system: UCUM, code: "mg" } }];
  }

  function drugOptions(selected) {
    return state.drugs
      .map((d) => `<option value="${esc(d.id)}"${d.id === selected ? " selected" : ""}>${esc(d.display)} (${esc(d.route || "")})</option>`)
      .join("");
  }

  function orderRow(resource) {
    const row = document.createElement("tr");
    row.className = "order";
    row.dataset.id = resource.id;
    if (resource.resourceType !== "MedicationRequest") {
      const text = (resource.code && resource.code.text) || resource.resourceType;
      row.innerHTML = `<td colspan="4">${esc(text)}</td><td><button class="remove">Remove</button></td>`;
    } else {
      const drug = drugOf(resource);
      row.dataset.drug = drug ? drug.id : "";
      const known = drug ? "" : `<option selected value="">${esc(resource.medicationCodeableConcept.text || "?")}</option>`;
      row.innerHTML = `
        <td><select class="drug">${known}${drugOptions(drug && drug.id)}</select></td>
        <td><input class="dose" type="number" min="0" step="any" value="${doseOf(resource) ?? ""}"> mg</td>
        <td>every <input class="interval" type="number" min="0.25" step="any" value="${intervalOf(resource)}"> days</td>
        <td class="route">${esc(drug ? drug.route || "" : "")}</td>
        <td><button class="remove">Remove</button></td>`;
      row.querySelector(".drug").addEventListener("change", (e) => {
        const chosen = drugById(e.target.value);
        const fresh = medicationRequest(chosen, chosen.schedules[0]);
        fresh.id = resource.id;
        replaceDraft(fresh);
      });
      for (const input of row.querySelectorAll(".dose, .interval")) {
        input.addEventListener("change", () => {
          setDose(resource, row.querySelector(".dose").value, row.querySelector(".interval").value);
          orderSelectSoon();
        });
      }
    }
    row.querySelector(".remove").addEventListener("click", () => {
      state.drafts = state.drafts.filter((d) => d.id !== resource.id);
      renderOrders();
      orderSelectSoon();
    });
    return row;
  }

  function replaceDraft(resource) {
    state.drafts = state.drafts.map((d) => (d.id === resource.id ? resource : d));
    renderOrders();
    orderSelectSoon();
  }

  function renderOrders() {
    const body = $("#orders tbody");
    body.innerHTML = "";
    for (const resource of state.drafts) body.appendChild(orderRow(resource));
    $("#sign").disabled = state.drafts.length === 0;
  }

  function orderSelectSoon() {
    clearTimeout(state.timer);
    state.timer = setTimeout(runOrderSelect, 200);
  }

  async function runOrderSelect() {
    const container = $("#order-cards");
    $("#sign-cards").innerHTML = "";
    if (!state.drafts.length) {
      container.innerHTML = "";
      return;
    }
    try {
      const result = await callHook("order-select");
      renderCards(container, result, orderSelectSoon, "No cards for these orders.",
        "While ordering (order-select)");
    } catch (error) {
      showError(container, error);
    }
  }

  async function runOrderSign() {
    const container = $("#sign-cards");
    try {
      const result = await callHook("order-sign");
      renderCards(container, result, orderSelectSoon,
        "No safety issue found: the orders can be signed.", "On signing (order-sign)");
    } catch (error) {
      showError(container, error);
    }
  }

  // --- Patient ---------------------------------------------------------------------------

  function headerHtml(h) {
    const receptor = (r) => (r.percent != null ? `${r.percent} %` : r.call) + (r.date ? ` (${r.date})` : "");
    const active = h.activeOrders.map((o) => `${esc(o.drug)}${o.since ? ` since ${o.since}` : ""}`).join(", ") || "none";
    return `
      <h2 class="patient-name">${esc(h.name)}</h2>
      <p>${esc(h.sex)}, ${h.age ?? "?"} years (born ${esc(h.birthDate || "?")}) · synthetic sample patient</p>
      <dl>
        <dt>HER2</dt><dd>${esc(h.her2.call)}${h.her2.date ? ` (${h.her2.date})` : ""}</dd>
        <dt>ER / PR</dt><dd>${esc(receptor(h.er))} / ${esc(receptor(h.pr))}</dd>
        <dt>Metastatic since</dt><dd>${esc(h.metastaticSince || "not on file")}</dd>
        <dt>Weight / height</dt><dd>${h.weightKg ?? "?"} kg${h.weightDate ? ` (${h.weightDate})` : ""} / ${h.heightCm ?? "?"} cm${h.bsa ? `, BSA ${h.bsa} m²` : ""}</dd>
        <dt>Active orders</dt><dd>${active}</dd>
      </dl>`;
  }

  async function choosePatient(patientId) {
    state.patientId = patientId;
    state.drafts = [];
    document.querySelectorAll("button.patient").forEach((b) =>
      b.classList.toggle("chosen", b.dataset.patient === patientId));
    $("#chart-area").hidden = false;
    $("#order-cards").innerHTML = "";
    $("#sign-cards").innerHTML = "";
    const [header, drugs, svg] = await Promise.all([
      getJson(`/demo/patients/${encodeURIComponent(patientId)}`),
      getJson(`/demo/patients/${encodeURIComponent(patientId)}/drugs`),
      fetch(`/demo/patients/${encodeURIComponent(patientId)}/lvef.svg`).then((r) => r.text()),
    ]);
    state.drugs = drugs;
    $("#patient-header").innerHTML = headerHtml(header);
    $("#lvef-chart").innerHTML = svg; // server-rendered, every label escaped
    $("#new-drug").innerHTML = drugOptions("trastuzumab");
    renderOrders();
    const container = $("#patient-cards");
    try {
      renderCards(container, await callHook("patient-view"), orderSelectSoon, "No cards for this patient.");
    } catch (error) {
      showError(container, error);
    }
  }

  function addOrder() {
    const drug = drugById($("#new-drug").value);
    state.drafts.push(medicationRequest(drug, drug.schedules[0]));
    renderOrders();
    orderSelectSoon();
  }

  document.addEventListener("DOMContentLoaded", async () => {
    await discover();
    document.querySelectorAll("button.patient").forEach((b) =>
      b.addEventListener("click", () => choosePatient(b.dataset.patient)));
    $("#add-order").addEventListener("click", addOrder);
    $("#sign").addEventListener("click", runOrderSign);
    document.body.dataset.ready = "true";
  });
})();
