#!/usr/bin/env bash
# Regenerates the EF Core compiled models, one per store provider (docs/development.md, "Migrations"):
#   src/ServerDashboard/Data/CompiledModels/Sqlite      (SqliteDashboardDbContext)
#   src/ServerDashboard/Data/CompiledModels/PostgreSql  (PostgreSqlDashboardDbContext)
# The dashboard loads these instead of building its model from OnModelCreating at every start (docs/PERFORMANCE.md).
# Run it after any change to the entities or to the contexts' configuration (scripts/add-migration.sh runs it);
# CompiledModelTests fails while a compiled model and the configuration disagree. Neither context connects anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null
project=src/ServerDashboard

# Generate from a build without the compiled models (StoreModelDesign: Data/CompiledModels is left out and contexts
# build their model from OnModelCreating), since a stale model may not even compile against changed entities.
dotnet build "$project" -v q -nologo -p:StoreModelDesign=true

optimize() { # context, folder
  echo "== $1 → $project/Data/CompiledModels/$2"
  rm -rf "$project/Data/CompiledModels/$2"
  dotnet ef dbcontext optimize --no-build --project "$project" --context "$1" \
    --output-dir "Data/CompiledModels/$2" --namespace "ServerDashboard.Data.CompiledModels.$2"
  # The generated [assembly: DbContextModel] would make EF use the model without its protecting converters for every
  # context created without UseModel; the dashboard picks its model explicitly (CompiledStoreModels) instead.
  rm "$project/Data/CompiledModels/$2/"*AssemblyAttributes.cs
}

optimize SqliteDashboardDbContext Sqlite
optimize PostgreSqlDashboardDbContext PostgreSql
echo "Regenerated both compiled models. Build, run CompiledModelTests, and commit them with the change that needed them."
