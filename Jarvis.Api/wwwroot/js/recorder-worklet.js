/**
 * An AudioWorklet processor that posts a copy of each block of microphone samples (the first channel) to the page.
 * It writes nothing to its output, so the graph stays silent.
 */
class JarvisRecorder extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0]?.[0];
    if (channel?.length) {
      this.port.postMessage(channel.slice(0));
    }
    return true;
  }
}

registerProcessor('jarvis-recorder', JarvisRecorder);
