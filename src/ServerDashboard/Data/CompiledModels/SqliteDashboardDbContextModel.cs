using Microsoft.EntityFrameworkCore.Metadata;

namespace ServerDashboard.Data.CompiledModels.Sqlite;

// The generated half of this class is in Sqlite/ (scripts/optimize-model.sh); this half survives regeneration.
public partial class SqliteDashboardDbContextModel
{
    /// <summary>
    /// A model of its own for one host's protector (<see cref="CompiledStoreModels"/>): the generated <c>Instance</c> has
    /// no protecting converters. Built on the calling thread: the generated code's 10 MB-stack thread is for models of
    /// thousands of entity types (EF issue 31751), not 20.
    /// </summary>
    internal static IModel Create(RconPasswordProtector? protector)
    {
        if (protector is null)
        {
            return Instance;
        }

        // What the generated static constructor does for Instance, plus the converters; FinalizeModel is marked internal to
        // EF Core (EF1001) but is the generated code's own call.
        var model = new SqliteDashboardDbContextModel();
        model.Initialize();
        model.Customize();
        ServerSecretColumns.Protect(model, protector);
#pragma warning disable EF1001
        return model.FinalizeModel();
#pragma warning restore EF1001
    }
}
