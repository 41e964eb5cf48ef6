/**
 * Jarvis's page: sign-in, then the chat (conversation list, message log, composer, voice) and the memory panel.
 * This module only wires the pieces to the page's elements.
 */
import { apiJson, auth, forUser, hasToken, postClientEvents, renewToken, signIn, signOut, storedSession, userId } from './api.js';
import { Chat } from './chat.js';
import { ConversationList } from './conversations.js';
import { safeHref } from './markdown.js';
import { MemoryPanel } from './memory.js';
import { AudioQueue } from './player.js';
import { ChatSocket } from './socket.js';
import { installTelemetry } from './telemetry.js';
import { clearAlerts, showAlert } from './ui.js';
import { startRecording } from './voice.js';

const $ = (id) => document.getElementById(id);
const SPEAK_KEY = 'jarvis.speak';
const DEFAULT_CONFIG = { dashboardUrl: null, maxMessageLength: 0, maxAudioBytes: 0, maxAudioSeconds: 60 };
const COUNTER_FROM = 0.8; // the character counter shows from 80 % of the limit
const SHORTEST_RECORDING_S = 0.3;

const ui = {
  signinView: $('signin-view'),
  signinForm: $('signin-form'),
  apiKey: $('api-key'),
  userName: $('user-name'),
  signinError: $('signin-error'),
  appView: $('app-view'),
  sessionActions: $('session-actions'),
  navToggle: $('nav-toggle'),
  sidebar: $('sidebar'),
  banner: $('banner'),
  composer: $('composer'),
  message: $('message'),
  counter: $('message-counter'),
  stop: $('stop'),
  mic: $('mic'),
  speaker: $('speaker'),
  language: $('voice-language'),
  recordingStatus: $('recording-status'),
};

let config = DEFAULT_CONFIG;
let audioPlayed = 0;
let recording = null;
let startingRecording = false;
let conversationLoad = 0;

installTelemetry({ send: postClientEvents, canSend: hasToken });

const socket = new ChatSocket(renewToken);
const player = new AudioQueue({
  onPlayed: () => {
    audioPlayed += 1;
    document.body.dataset.audioPlayed = String(audioPlayed);
  },
  onBlocked: () => showAlert('The browser blocked the spoken reply. Click anywhere on the page, then try again.'),
});
const chat = new Chat({ socket, log: $('log'), player, userId, dashboardUrl: () => config.dashboardUrl });
const conversations = new ConversationList($('conversations'), openConversation);
const memory = new MemoryPanel($('memory-panel'), () => {
  startNewConversation();
  conversations.refresh();
});

// Sign-in and sign-out.

ui.signinForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = ui.apiKey.value.trim();
  if (!key) {
    ui.signinError.textContent = 'Enter the API key.';
    ui.apiKey.focus();
    return;
  }
  const submit = ui.signinForm.querySelector('button[type="submit"]');
  submit.disabled = true;
  ui.signinError.textContent = '';
  try {
    await signIn(key, ui.userName.value);
    startApp();
  } catch (error) {
    ui.signinError.textContent = error.message;
    ui.apiKey.select();
  } finally {
    submit.disabled = false;
  }
});

$('sign-out').addEventListener('click', () => {
  signOut();
  showSignIn('');
});

auth.addEventListener('signedout', (event) => showSignIn(event.detail.message));

function startApp() {
  ui.apiKey.value = '';
  ui.signinError.textContent = '';
  ui.signinView.hidden = true;
  ui.appView.hidden = false;
  ui.sessionActions.hidden = false;
  ui.navToggle.hidden = false;
  setPressed(ui.speaker, sessionStorage.getItem(SPEAK_KEY) === 'true');
  showConnection(false, 'Connecting…');
  loadConfig();
  startNewConversation();
  conversations.refresh();
  socket.start();
}

function showSignIn(message) {
  socket.stop();
  cancelRecording();
  chat.reset();
  conversations.clear();
  memory.close();
  clearAlerts();
  closeNav();
  ui.appView.hidden = true;
  ui.sessionActions.hidden = true;
  ui.navToggle.hidden = true;
  ui.signinView.hidden = false;
  document.body.dataset.connected = 'false';
  ui.banner.hidden = true;
  ui.signinError.textContent = message;
  ui.apiKey.focus();
}

async function loadConfig() {
  try {
    const loaded = await apiJson('/api/client-config');
    const dashboard = typeof loaded.dashboardUrl === 'string' ? safeHref(loaded.dashboardUrl) : null;
    config = { ...DEFAULT_CONFIG, ...loaded, dashboardUrl: dashboard?.replace(/\/+$/, '') ?? null };
  } catch (error) {
    if (error.status !== 401) {
      showAlert(`Some settings could not be loaded, so trace links and limits are missing. ${error.message}`);
    }
  }
}

// The connection.

socket.addEventListener('open', () => showConnection(true));
socket.addEventListener('close', () => showConnection(false, 'Disconnected — reconnecting…'));

function showConnection(connected, text) {
  document.body.dataset.connected = String(connected);
  ui.banner.hidden = connected;
  if (text) {
    ui.banner.textContent = text;
  }
}

// Conversations.

$('new-conversation').addEventListener('click', () => {
  startNewConversation();
  closeNav();
});

chat.addEventListener('replied', () => {
  conversations.setCurrent(chat.conversationId);
  conversations.refresh();
});

function startNewConversation() {
  conversationLoad += 1;
  chat.newConversation();
  conversations.setCurrent(null);
  ui.message.focus();
}

async function openConversation(conversationId) {
  closeNav();
  const load = ++conversationLoad;
  try {
    const { turns } = await apiJson(forUser(`/api/conversations/${encodeURIComponent(conversationId)}`));
    if (load === conversationLoad) {
      chat.showConversation(conversationId, turns);
      conversations.setCurrent(conversationId);
    }
  } catch (error) {
    showAlert(`That conversation could not be loaded. ${error.message}`);
  }
}

ui.navToggle.addEventListener('click', () => {
  const open = !ui.sidebar.classList.contains('open');
  ui.sidebar.classList.toggle('open', open);
  ui.navToggle.setAttribute('aria-expanded', String(open));
  if (open) {
    $('new-conversation').focus();
  }
});

function closeNav() {
  ui.sidebar.classList.remove('open');
  ui.navToggle.setAttribute('aria-expanded', 'false');
}

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && ui.sidebar.classList.contains('open')) {
    closeNav();
    ui.navToggle.focus();
  }
});

// The composer.

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.message.value.trim();
  if (!text) {
    return;
  }
  const max = config.maxMessageLength;
  if (max && text.length > max) {
    showAlert(`That message is too long: at most ${max} characters, and it has ${text.length}.`);
    return;
  }
  chat.sendText(text, ui.speaker.getAttribute('aria-pressed') === 'true');
  ui.message.value = '';
  updateCounter();
});

ui.message.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.message.addEventListener('input', updateCounter);

chat.addEventListener('refused', (event) => {
  if (!ui.message.value) {
    ui.message.value = event.detail.text;
    updateCounter();
  }
});

chat.addEventListener('busy', (event) => {
  ui.stop.hidden = !event.detail;
});

ui.stop.addEventListener('click', () => {
  chat.stop();
  ui.message.focus();
});

ui.speaker.addEventListener('click', () => {
  const on = ui.speaker.getAttribute('aria-pressed') !== 'true';
  setPressed(ui.speaker, on);
  sessionStorage.setItem(SPEAK_KEY, String(on));
});

$('memory-open').addEventListener('click', () => memory.open());

function updateCounter() {
  const max = config.maxMessageLength;
  const length = ui.message.value.length;
  const show = Boolean(max) && length >= max * COUNTER_FROM;
  ui.counter.hidden = !show;
  ui.counter.textContent = show ? `${length} / ${max}` : '';
  ui.counter.classList.toggle('over', show && length > max);
}

function setPressed(button, pressed) {
  button.setAttribute('aria-pressed', String(pressed));
}

// Voice.

ui.mic.addEventListener('click', () => {
  if (recording) {
    finishRecording(false);
  } else {
    beginRecording();
  }
});

async function beginRecording() {
  if (startingRecording) {
    return;
  }
  startingRecording = true;
  try {
    const started = await startRecording({ maxSeconds: config.maxAudioSeconds, onLimit: () => finishRecording(true) });
    if (ui.appView.hidden) {
      // Signed out while the microphone was opening: it must not stay on.
      started.stop().catch(() => {});
      return;
    }
    recording = started;
    showRecording(true, 'Recording… press the microphone again to send.');
  } catch (error) {
    showAlert(error.message);
  } finally {
    startingRecording = false;
  }
}

async function finishRecording(atLimit) {
  const current = recording;
  if (!current) {
    return;
  }
  recording = null;
  showRecording(false, '');
  let result;
  try {
    result = await current.stop();
  } catch {
    showAlert('The recording could not be finished. Try again.');
    return;
  }
  if (ui.appView.hidden) {
    return; // signed out while the recording was being encoded: it is not sent for whoever signs in next
  }
  if (result.seconds < SHORTEST_RECORDING_S) {
    showAlert('That recording was too short to send.');
    return;
  }
  if (config.maxAudioBytes && result.wav.byteLength > config.maxAudioBytes) {
    showAlert('That recording is too long to send. Try a shorter one.');
    return;
  }
  chat.sendVoice(result.wav, ui.language.value);
  if (atLimit) {
    ui.recordingStatus.textContent = `Recording stopped at the ${config.maxAudioSeconds}-second limit and sent.`;
  }
}

function cancelRecording() {
  recording?.stop().catch(() => {
    // The recording is being thrown away: a failure to close it changes nothing.
  });
  recording = null;
  showRecording(false, '');
}

function showRecording(on, status) {
  setPressed(ui.mic, on);
  ui.mic.dataset.recording = String(on);
  ui.recordingStatus.textContent = status;
}

// Start.

if (storedSession()) {
  startApp();
} else {
  ui.apiKey.focus();
}
