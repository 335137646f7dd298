// Scanning with the camera: frames from getUserMedia, a few a second, to the QR reader until a
// DTE1 code appears. The back camera is preferred; nothing leaves the device.

import { PREFIX, readQrTexts } from './qr.js';

export function cameraAvailable() {
  return Boolean(globalThis.isSecureContext && navigator.mediaDevices?.getUserMedia);
}

/**
 * Start scanning into `video`; resolves to the DTE1 text found, or null when stopped.
 * Returns {done: Promise<string|null>, stop()}.
 */
export function scan(video) {
  let stopped = false;
  let stream = null;
  let timer = null;
  let finish;
  const done = new Promise((resolve) => (finish = resolve));
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });

  const stop = (result = null) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    stream?.getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    finish(result);
  };

  const tick = async () => {
    if (stopped) return;
    try {
      if (video.readyState >= 2 && video.videoWidth) {
        // A centred square, scaled to at most 1024 px: enough for a version-30 code.
        const side = Math.min(video.videoWidth, video.videoHeight);
        const size = Math.min(side, 1024);
        canvas.width = canvas.height = size;
        context.drawImage(video, (video.videoWidth - side) / 2, (video.videoHeight - side) / 2, side, side, 0, 0, size, size);
        const texts = await readQrTexts(canvas, { imageData: context.getImageData(0, 0, size, size) });
        const found = texts.find((t) => t.startsWith(PREFIX));
        if (found) return stop(found);
      }
    } catch {
      // a frame that cannot be read: try the next one
    }
    timer = setTimeout(tick, 200);
  };

  navigator.mediaDevices
    .getUserMedia({ video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
    .then(async (s) => {
      stream = s;
      if (stopped) return stop();
      video.srcObject = s;
      await video.play();
      tick();
    })
    .catch((error) => {
      stopped = true;
      finish(Promise.reject(error));
    });

  return { done, stop: () => stop(null) };
}
