using PgMedic.Sample.Api.Orders;

// A small API that takes its database connections through PgMedic.Guard.
// DATABASE_URL and the runbook's DATABASE_* variables configure the pool;
// SAMPLE_LEAK_ENDPOINT=true turns on /demo/leak, which leaks a connection on purpose.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Services.AddPgMedicGuard(builder.Configuration);
builder.Services.AddHealthChecks().AddPgMedicGuard();

var app = builder.Build();
app.MapPgMedicGuard(options =>
{
    options.EnablePoolEndpoint = builder.Configuration.GetValue("SAMPLE_POOL_ENDPOINT", true);
    options.PoolToken = builder.Configuration["SAMPLE_POOL_TOKEN"];
});
app.MapHealthChecks("/healthz");
app.MapOrdersApi();
if (builder.Configuration.GetValue("SAMPLE_LEAK_ENDPOINT", false))
{
    app.MapLeakDemoApi();
}

app.Run();
