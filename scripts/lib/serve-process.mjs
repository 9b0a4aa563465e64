// What the demo and the benchmark share about running `regmirror serve`: the gateway prints
// "listening on URL" on stderr once its socket is bound (it may have asked for port 0).

/** Resolves with the gateway's URL once `child` says where it listens; rejects if it exits first. */
export function listeningUrl(child, fail = (message) => new Error(message)) {
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c) => {
      err += c;
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(fail(`regmirror serve exited ${code}: ${err}`)));
  });
}
