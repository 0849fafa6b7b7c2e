#!/usr/bin/env bash
# Adds an EF Core migration to BOTH migration sets, one per store provider (docs/development.md, "Migrations"):
#   src/ServerDashboard/Data/Migrations/Sqlite      (SqliteDashboardDbContext)
#   src/ServerDashboard/Data/Migrations/PostgreSql  (PostgreSqlDashboardDbContext)
# Usage: scripts/add-migration.sh <Name>       e.g. scripts/add-migration.sh AddSchedules
# Change the entities and DashboardDbContext's configuration first; neither context connects to a database here.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -ne 1 ] || ! [[ "$1" =~ ^[A-Za-z][A-Za-z0-9_]*$ ]]; then
  echo "usage: $0 <MigrationName>   (letters, digits and _; e.g. AddSchedules)" >&2
  exit 2
fi
name=$1

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
project=src/ServerDashboard

# Build once; both `migrations add` then reuse the build. Without the compiled models (StoreModelDesign): the tools must
# build the model from the configuration, and a stale compiled model may not compile against changed entities.
dotnet build "$project" -v q -nologo -p:StoreModelDesign=true

add() { # context, folder
  echo "== $1 → $project/Data/Migrations/$2"
  dotnet ef migrations add "$name" --no-build --project "$project" --context "$1" \
    --output-dir "Data/Migrations/$2" # the namespace follows the folder (--namespace would misplace the snapshot)
}

add SqliteDashboardDbContext Sqlite
add PostgreSqlDashboardDbContext PostgreSql

# A model change that only one provider sees would leave the other set behind: say so instead of committing half.
for dir in Sqlite PostgreSql; do
  if ! ls "$project/Data/Migrations/$dir/"*"_$name.cs" >/dev/null 2>&1; then
    echo "error: no $name migration in Data/Migrations/$dir" >&2
    exit 1
  fi
done
# The compiled models (Data/CompiledModels) must describe the same model as the migrations.
scripts/optimize-model.sh
echo "Added $name to both sets and regenerated both compiled models. Build again, review, and commit them together."
