namespace PgMedic.Demo;

/// <summary>The incidents <c>pgmedic demo</c> can stage.</summary>
public enum DemoScenario
{
    /// <summary>The service's export job leaks connections idle in a transaction until its pool and the server are full.</summary>
    Leak,

    /// <summary>A worker outside the service leaves transactions open until the server is nearly full.</summary>
    IdleInTransaction,

    /// <summary>A migration holds a lock; the service's queries queue behind it and exhaust its pool.</summary>
    LockChain,

    /// <summary>The server stops; connections fail until it is restarted.</summary>
    ServerDown,
}
