// Passkeys (WebAuthn) for Buzón: the only script of the site. Buttons with
// data-passkey="get" (sign in, or the second step) or "create" (add a
// passkey) ask the server for options (POST data-options), call the
// browser's WebAuthn API and post its answer (POST data-finish, JSON). The
// server answers {"redirect": path} or {"error": sentence}. Without
// JavaScript or WebAuthn the passkey sections stay hidden and everything
// else works.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }
  var b64 = {
    decode: function (s) {
      s = s.replace(/-/g, "+").replace(/_/g, "/");
      while (s.length % 4) { s += "="; }
      var bin = atob(s), out = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
      return out.buffer;
    },
    encode: function (buf) {
      var bytes = new Uint8Array(buf), bin = "";
      for (var i = 0; i < bytes.length; i++) { bin += String.fromCharCode(bytes[i]); }
      return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    }
  };
  function creationOptions(o) {
    var pk = o.publicKey;
    pk.challenge = b64.decode(pk.challenge);
    pk.user.id = b64.decode(pk.user.id);
    (pk.excludeCredentials || []).forEach(function (c) { c.id = b64.decode(c.id); });
    return { publicKey: pk };
  }
  function requestOptions(o) {
    var pk = o.publicKey;
    pk.challenge = b64.decode(pk.challenge);
    (pk.allowCredentials || []).forEach(function (c) { c.id = b64.decode(c.id); });
    return { publicKey: pk, mediation: o.mediation || undefined };
  }
  function answer(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: b64.encode(cred.rawId), type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: b64.encode(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = b64.encode(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = b64.encode(r.authenticatorData);
      out.response.signature = b64.encode(r.signature);
      if (r.userHandle) { out.response.userHandle = b64.encode(r.userHandle); }
    }
    return out;
  }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: body === undefined ? "{}" : JSON.stringify(body)
    }).then(function (res) {
      return res.json().then(function (data) {
        if (!res.ok) { throw new Error(data.error || ""); }
        return data;
      }, function () { throw new Error(""); });
    });
  }
  function run(button) {
    var area = button.closest("[data-passkey-area]");
    var status = area.querySelector("[data-passkey-status]");
    var finish = button.getAttribute("data-finish");
    if (button.getAttribute("data-name")) {
      var name = document.getElementById(button.getAttribute("data-name")).value;
      finish += "?nombre=" + encodeURIComponent(name);
    }
    var create = button.getAttribute("data-passkey") === "create";
    status.textContent = status.getAttribute("data-working");
    button.disabled = true;
    post(button.getAttribute("data-options")).then(function (options) {
      return create ? navigator.credentials.create(creationOptions(options))
                    : navigator.credentials.get(requestOptions(options));
    }).then(function (cred) {
      return post(finish, answer(cred));
    }).then(function (data) {
      window.location.assign(data.redirect);
    }).catch(function (err) {
      button.disabled = false;
      if (err && err.name === "NotAllowedError") {
        status.textContent = status.getAttribute("data-cancelled");
      } else {
        status.textContent = (err && err.message) || status.getAttribute("data-failed");
      }
    });
  }
  document.querySelectorAll("[data-passkey-area]").forEach(function (area) { area.hidden = false; });
  document.querySelectorAll("[data-passkey-unsupported]").forEach(function (p) { p.hidden = true; });
  document.querySelectorAll("button[data-passkey]").forEach(function (button) {
    button.addEventListener("click", function () { run(button); });
  });
})();
