global using System.Net.Http.Json;
global using Microsoft.Extensions.Time.Testing;
