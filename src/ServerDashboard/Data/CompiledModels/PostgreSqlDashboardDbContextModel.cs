using Microsoft.EntityFrameworkCore.Metadata;

namespace ServerDashboard.Data.CompiledModels.PostgreSql;

// The generated half of this class is in PostgreSql/ (scripts/optimize-model.sh); this half survives regeneration.
public partial class PostgreSqlDashboardDbContextModel
{
    /// <summary>
    /// A model of its own for one host's protector (<see cref="CompiledStoreModels"/>): the generated <c>Instance</c> has
    /// no protecting converters. Built on the calling thread: the generated static constructor's 10 MB-stack thread
    /// guards very large models against deep recursion (EF's switch for it is named after issue 31751); this one has 20
    /// entity types.
    /// </summary>
    internal static IModel Create(RconPasswordProtector? protector)
    {
        if (protector is null)
        {
            return Instance;
        }

        // What the generated static constructor does for Instance, plus the converters; FinalizeModel is marked internal to
        // EF Core (EF1001) but is the generated code's own call.
        var model = new PostgreSqlDashboardDbContextModel();
        model.Initialize();
        model.Customize();
        ServerSecretColumns.Protect(model, protector);
#pragma warning disable EF1001
        return model.FinalizeModel();
#pragma warning restore EF1001
    }
}
