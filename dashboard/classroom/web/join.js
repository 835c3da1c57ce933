// The students' page: join with the code and a first name, choose each month, read what
// happened. The session's code and this student's token stay in localStorage, so a reload
// (or a phone that locks) keeps the role. The state is polled every two seconds.
"use strict";
(function () {
  const KEY = "eachcustomer-class";
  const POLL_MS = 2000;
  const $ = (id) => document.getElementById(id);
  let saved = null; // {code, token}
  let dirty = false; // the student changed the radios and has not sent them yet
  let timer = null;
  let polling = false;

  function load() {
    try {
      const value = JSON.parse(localStorage.getItem(KEY) || "null");
      return value && value.code && value.token ? value : null;
    } catch (error) {
      return null;
    }
  }

  function store(value) {
    saved = value;
    try {
      if (value) localStorage.setItem(KEY, JSON.stringify(value));
      else localStorage.removeItem(KEY);
    } catch (error) {
      /* private mode: the role lasts as long as the page */
    }
  }

  async function call(name, body) {
    const controller = new AbortController();
    const stop = setTimeout(() => controller.abort(), 8000);
    try {
      const response = await fetch("/class/api/" + name, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        signal: controller.signal,
        cache: "no-store",
      });
      let data = null;
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
      if (!response.ok) {
        const message = data && data.error ? data.error : "The server answered " + response.status + ".";
        return { error: message, status: response.status };
      }
      return { data: data };
    } catch (error) {
      return { error: "No answer from the class's computer: check the Wi-Fi.", status: 0 };
    } finally {
      clearTimeout(stop);
    }
  }

  function showJoin(message) {
    $("play-section").hidden = true;
    $("join-section").hidden = false;
    $("join-error").textContent = message || "";
  }

  function statusText(state) {
    const next = state.round + 1;
    if (state.status === "ended") return state.message || "The session has ended. Thank you for playing!";
    if (state.status === "running") return "Your class is playing month " + next + " now…";
    if (state.round === 0) return "Choose how you will work in month 1, then wait for your teacher.";
    return "Month " + state.round + " is over. Choose for month " + next + ", then wait for your teacher.";
  }

  function setChoice(choice) {
    for (const [name, value] of [["effort", choice.effort], ["language", choice.language]]) {
      const input = $(name + "-" + value);
      if (input) input.checked = true;
    }
  }

  function render(state) {
    $("join-section").hidden = true;
    $("play-section").hidden = false;
    const status = $("status");
    status.textContent = statusText(state);
    status.dataset.status = state.status;
    status.dataset.round = String(state.round);
    $("role").textContent = state.name + ": " + state.role.description;
    if (!dirty) setChoice(state.choice);
    const ended = state.status === "ended";
    $("choice-send").disabled = ended;
    $("choice-saved").textContent = ended
      ? ""
      : dirty
        ? "Not sent yet: press Send."
        : state.answered
          ? "Saved: your choice for month " + (state.round + 1) + "."
          : state.choice.effort === null
            ? "Pick your answers and press Send (until then you work as your colleagues do)."
            : "Your last choice stands unless you send a new one.";
    const report = state.report;
    $("report-section").hidden = !report;
    if (report) {
      $("report-title").textContent = "What happened to you in month " + report.round;
      const list = $("report");
      list.replaceChildren(
        ...report.sentences.map((sentence) => {
          const item = document.createElement("li");
          item.textContent = sentence;
          return item;
        }),
      );
    }
    return ended;
  }

  async function poll() {
    if (!saved || polling) return;
    polling = true;
    const result = await call("state", saved);
    polling = false;
    if (result.data) {
      if (render(result.data)) stopPolling();
    } else if (result.status === 403 || result.status === 404) {
      store(null);
      stopPolling();
      showJoin(result.error);
    } else {
      $("status").textContent = result.error;
    }
  }

  function startPolling() {
    stopPolling();
    poll();
    timer = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  $("join-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = $("join-code").value.trim().toUpperCase();
    const name = $("join-name").value.trim();
    if (!code) return showJoin("Type the session code from your teacher's screen.");
    if (!name) return showJoin("Type your first name.");
    $("join-button").disabled = true;
    const result = await call("join", { code: code, name: name });
    $("join-button").disabled = false;
    if (result.error) return showJoin(result.error);
    store({ code: result.data.code, token: result.data.token });
    dirty = false;
    render(result.data.state);
    startPolling();
  });

  $("choice-form").addEventListener("change", () => {
    dirty = true;
    $("choice-saved").textContent = "Not sent yet: press Send.";
  });

  $("choice-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const effort = document.querySelector('input[name="effort"]:checked');
    const language = document.querySelector('input[name="language"]:checked');
    if (!effort || !language) {
      $("choice-error").textContent = "Pick one answer in each group.";
      return;
    }
    $("choice-send").disabled = true;
    const result = await call("choose", {
      code: saved.code,
      token: saved.token,
      effort: effort.value,
      language: language.value,
    });
    $("choice-send").disabled = false;
    if (result.error) {
      $("choice-error").textContent = result.error;
      return;
    }
    $("choice-error").textContent = "";
    dirty = false;
    render(result.data);
  });

  const asked = new URLSearchParams(window.location.search).get("code");
  saved = load();
  if (saved && (!asked || asked.toUpperCase() === saved.code)) {
    startPolling();
  } else {
    if (asked) $("join-code").value = asked.toUpperCase();
    showJoin("");
  }
})();
