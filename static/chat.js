// Hearth room client: live messages over a WebSocket, reconnecting with backoff and catching up
// from the last position it has. Every user-supplied string is inserted with textContent.
(function () {
  "use strict";
  var room = document.getElementById("room");
  if (!room) return;
  var list = document.getElementById("messages");
  var people = document.getElementById("people");
  var status = document.getElementById("status");
  var composer = document.getElementById("composer");
  var input = document.getElementById("message");
  var roomName = room.dataset.room;
  var lastPosition = parseInt(room.dataset.lastPosition, 10) || 0;
  var oldestPosition = parseInt(room.dataset.oldestPosition, 10) || 0;
  var hasOlder = room.dataset.hasOlder === "true";
  var socket = null;
  var attempts = 0;
  var stopped = false;
  var loadingOlder = false;
  var urlPattern = /\bhttps?:\/\/[^\s<>"']+/g;

  function setStatus(text) { status.textContent = text; }

  // Text with http(s) links made clickable; never parsed as HTML.
  function appendLinkified(parent, text) {
    var last = 0;
    text.replace(urlPattern, function (url, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.rel = "noopener noreferrer nofollow";
      link.target = "_blank";
      parent.appendChild(link);
      last = offset + url.length;
      return url;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function timeText(iso) {
    var date = new Date(iso);
    if (isNaN(date)) return "";
    return String(date.getHours()).padStart(2, "0") + ":" + String(date.getMinutes()).padStart(2, "0");
  }

  function messageElement(message) {
    var item = document.createElement("li");
    item.className = "message kind-" + message.kind;
    item.dataset.position = String(message.position);
    var time = document.createElement("time");
    time.dateTime = message.createdAt;
    time.textContent = timeText(message.createdAt);
    item.appendChild(time);
    var body = document.createElement("span");
    if (message.kind === "text" || message.kind === "private") {
      if (message.kind === "private") {
        var mark = document.createElement("span");
        mark.className = "private-mark";
        mark.textContent = "private";
        item.appendChild(mark);
        item.appendChild(document.createTextNode(" "));
      }
      var author = document.createElement("span");
      author.className = "author";
      author.textContent = message.kind === "private" ? (message.author || "") + " → " + (message.recipient || "") : (message.author || "");
      item.appendChild(author);
      item.appendChild(document.createTextNode(" "));
      body.className = "body";
      appendLinkified(body, message.body);
    } else if (message.kind === "action") {
      body.className = "body action";
      appendLinkified(body, "* " + (message.author || "") + " " + message.body);
    } else {
      body.className = "body system";
      body.textContent = message.body;
    }
    item.appendChild(body);
    return item;
  }

  function nearBottom() { return list.scrollHeight - list.scrollTop - list.clientHeight < 80; }
  function scrollToBottom() { list.scrollTop = list.scrollHeight; }

  function addMessage(message) {
    if (message.position <= lastPosition) return; // already shown
    if (message.kind === "clear") {
      // Everything before this line was deleted: empty the view.
      while (list.firstChild) list.removeChild(list.firstChild);
      hasOlder = false;
      oldestPosition = message.position;
    }
    var stick = nearBottom();
    list.appendChild(messageElement(message));
    lastPosition = message.position;
    if (stick) scrollToBottom();
  }

  function addLocal(kind, text) {
    var stick = nearBottom();
    var item = document.createElement("li");
    item.className = "message " + kind;
    item.textContent = text;
    list.appendChild(item);
    if (stick) scrollToBottom();
  }

  function showPeople(names) {
    while (people.firstChild) people.removeChild(people.firstChild);
    names.forEach(function (name) {
      var item = document.createElement("li");
      item.textContent = name;
      people.appendChild(item);
    });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var url = scheme + location.host + "/rooms/" + encodeURIComponent(roomName) + "/ws?after=" + lastPosition;
    setStatus(attempts ? "Reconnecting…" : "Connecting…");
    socket = new WebSocket(url);
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      switch (frame.type) {
        case "message": addMessage(frame.message); break;
        case "notice": addLocal("notice", frame.text); break;
        case "error": addLocal("error", frame.text); break;
        case "presence": showPeople(frame.people); break;
        case "ready": attempts = 0; setStatus("Live"); break;
        case "topic": document.getElementById("topic").textContent = frame.topic; break;
        case "removed": stopped = true; addLocal("error", frame.text); setStatus(frame.text); break;
      }
    };
    socket.onclose = function (event) {
      socket = null;
      if (stopped) {
        composer.querySelector("button").disabled = true;
        return;
      }
      if (event.code >= 4000 && event.code < 4100) {
        stopped = true;
        setStatus(event.reason || "Disconnected.");
        return;
      }
      // Exponential backoff with jitter, capped at 30 seconds.
      var delay = Math.min(30000, 500 * Math.pow(2, attempts)) * (0.5 + Math.random() / 2);
      attempts += 1;
      setStatus("Connection lost; reconnecting in " + Math.round(delay / 1000) + " s…");
      setTimeout(connect, delay);
    };
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value;
    if (!body.trim()) return;
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      addLocal("error", "Not connected; your message was not sent. It is still in the box.");
      return;
    }
    socket.send(JSON.stringify({ type: "send", body: body }));
    input.value = "";
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  function loadOlder() {
    if (!hasOlder || loadingOlder) return;
    loadingOlder = true;
    var url = "/rooms/" + encodeURIComponent(roomName) + "/messages?before=" + oldestPosition + "&limit=50";
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (page) {
      var marker = list.querySelector(".older");
      var anchor = marker ? marker.nextSibling : list.firstChild;
      var before = list.scrollHeight;
      page.messages.forEach(function (message) { list.insertBefore(messageElement(message), anchor); });
      if (page.messages.length) oldestPosition = page.messages[0].position;
      hasOlder = page.hasMore;
      if (!hasOlder && marker) marker.remove();
      list.scrollTop += list.scrollHeight - before;
    }).catch(function () {
      addLocal("error", "Could not load older messages.");
    }).then(function () { loadingOlder = false; });
  }

  var olderLink = document.getElementById("load-older");
  if (olderLink) olderLink.addEventListener("click", function (event) { event.preventDefault(); loadOlder(); });
  list.addEventListener("scroll", function () { if (list.scrollTop < 40) loadOlder(); });

  // Server-rendered lines become linkified too.
  Array.prototype.forEach.call(list.querySelectorAll(".kind-text .body"), function (body) {
    var text = body.textContent;
    body.textContent = "";
    appendLinkified(body, text);
  });
  scrollToBottom();
  connect();
})();
