// Chromium is not downloaded at install: whatsapp-web.js runs the system browser (CHROMIUM_PATH, default /usr/bin/chromium).
module.exports = { skipDownload: true };
