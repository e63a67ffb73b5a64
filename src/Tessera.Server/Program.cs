using Tessera.Server.Hosting;

var app = TesseraApp.Build(args);
await app.RunAsync();
