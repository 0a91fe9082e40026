// The app's worker file: riskscore's worker scorer, bundled with the app (no CDN).
import '@riskscore/browser/worker';
