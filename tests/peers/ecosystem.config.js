// N (env N, default 100) tiny log writers for the PM2 baseline: the same command as the supervisord baseline and the
// dashboard's own daemon benchmark. Logs go under $PM2_HOME/applogs.
const count = Number(process.env.N || 100);
module.exports = {
  apps: Array.from({ length: count }, (_, i) => ({
    name: 'w' + (i + 1),
    script: 'sh',
    args: ['-c', 'while :; do echo line; sleep 1; done'],
    interpreter: 'none',
    autorestart: true,
    merge_logs: true,
    out_file: `${process.env.PM2_HOME}/applogs/w${i + 1}.log`,
    error_file: `${process.env.PM2_HOME}/applogs/w${i + 1}.err`,
  })),
};
