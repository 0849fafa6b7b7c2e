# Sourced by the scripts here. PEERS_DIR: this folder (npm packages in node_modules/, fastwriter in build/).
# PEERS_WORK: scratch space for the benchmarks (private supervisord/PM2 homes, tail files); default under $TMPDIR.
PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PEERS_WORK=${PEERS_WORK:-${TMPDIR:-/tmp}/serverdashboard-peers}
mkdir -p "$PEERS_WORK"
FASTWRITER="$PEERS_DIR/build/fastwriter"
export PEERS_DIR PEERS_WORK FASTWRITER
export PATH="$PEERS_DIR/node_modules/.bin:$PATH"
