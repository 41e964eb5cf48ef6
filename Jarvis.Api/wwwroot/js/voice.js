/**
 * Voice capture: microphone samples through Web Audio, downsampled to 16 kHz mono and encoded as a 16-bit PCM WAV.
 * `downsample` and `encodeWav` are pure and need no browser.
 */

/** The sample rate Jarvis's speech recognition expects. */
export const VOICE_SAMPLE_RATE = 16_000;

/**
 * Resamples mono audio: a box filter (the mean of each output sample's span) when going down, linear
 * interpolation when going up.
 * @param {Float32Array} samples
 * @param {number} fromRate the samples' rate, in Hz
 * @param {number} toRate the wanted rate, in Hz
 * @returns {Float32Array}
 */
export function downsample(samples, fromRate, toRate) {
  if (fromRate === toRate) {
    return Float32Array.from(samples);
  }
  const ratio = fromRate / toRate;
  const output = new Float32Array(Math.floor(samples.length / ratio));
  for (let i = 0; i < output.length; i += 1) {
    if (ratio > 1) {
      const start = Math.floor(i * ratio);
      const end = Math.min(samples.length, Math.max(start + 1, Math.floor((i + 1) * ratio)));
      let sum = 0;
      for (let j = start; j < end; j += 1) {
        sum += samples[j];
      }
      output[i] = sum / (end - start);
    } else {
      const position = i * ratio;
      const left = Math.floor(position);
      const right = Math.min(samples.length - 1, left + 1);
      output[i] = samples[left] + (samples[right] - samples[left]) * (position - left);
    }
  }
  return output;
}

/**
 * Encodes mono samples as a 16-bit PCM WAV file (a 44-byte RIFF header, then little-endian samples).
 * @param {Float32Array} samples in [-1, 1]; values outside are clipped
 * @param {number} sampleRate in Hz
 * @returns {ArrayBuffer}
 */
export function encodeWav(samples, sampleRate) {
  const dataBytes = samples.length * 2;
  const buffer = new ArrayBuffer(44 + dataBytes);
  const view = new DataView(buffer);
  const ascii = (offset, text) => {
    for (let i = 0; i < text.length; i += 1) {
      view.setUint8(offset + i, text.charCodeAt(i));
    }
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // bytes per second
  view.setUint16(32, 2, true); // bytes per frame
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i += 1) {
    const s = Math.max(-1, Math.min(1, samples[i]));
    view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
  }
  return buffer;
}

/**
 * Starts recording from the microphone.
 * @param {{maxSeconds: number, onLimit: () => void}} options onLimit is called once maxSeconds have been recorded
 * @returns {Promise<{stop: () => Promise<{wav: ArrayBuffer, seconds: number}>}>} rejects when there is no
 *   microphone or it is not allowed (the error's message is a plain sentence)
 */
export async function startRecording({ maxSeconds, onLimit }) {
  if (!navigator.mediaDevices?.getUserMedia || !window.AudioContext) {
    throw new Error('Voice needs a browser with microphone access over a secure (https) connection.');
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
  } catch (error) {
    throw new Error(error?.name === 'NotAllowedError'
      ? 'Jarvis is not allowed to use the microphone. Allow it in the browser and try again.'
      : 'No microphone could be opened.');
  }
  const context = new AudioContext();
  const chunks = [];
  let node;
  try {
    node = await captureNode(context, (chunk) => chunks.push(chunk));
  } catch {
    stream.getTracks().forEach((track) => track.stop());
    await context.close();
    throw new Error('This browser cannot record audio here.');
  }
  const source = context.createMediaStreamSource(stream);
  source.connect(node);
  node.connect(context.destination); // silent output; it keeps the node pulled by the audio graph
  const limit = setTimeout(onLimit, maxSeconds * 1000);

  let stopped = null;
  return {
    stop() {
      stopped ??= (async () => {
        clearTimeout(limit);
        source.disconnect();
        node.disconnect();
        stream.getTracks().forEach((track) => track.stop());
        const rate = context.sampleRate;
        await context.close();
        const samples = concat(chunks);
        const seconds = Math.min(samples.length / rate, maxSeconds);
        const kept = samples.subarray(0, Math.floor(seconds * rate));
        return { wav: encodeWav(downsample(kept, rate, VOICE_SAMPLE_RATE), VOICE_SAMPLE_RATE), seconds };
      })();
      return stopped;
    },
  };
}

/** An AudioWorkletNode posting each block of samples, or a ScriptProcessorNode where worklets are missing. */
async function captureNode(context, onChunk) {
  if (context.audioWorklet) {
    await context.audioWorklet.addModule(new URL('./recorder-worklet.js', import.meta.url));
    const node = new AudioWorkletNode(context, 'jarvis-recorder', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1 });
    node.port.onmessage = (message) => onChunk(message.data);
    return node;
  }
  const node = context.createScriptProcessor(4096, 1, 1);
  node.onaudioprocess = (event) => onChunk(new Float32Array(event.inputBuffer.getChannelData(0)));
  return node;
}

function concat(chunks) {
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const samples = new Float32Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    samples.set(chunk, offset);
    offset += chunk.length;
  }
  return samples;
}
