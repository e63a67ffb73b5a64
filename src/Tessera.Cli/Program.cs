using Tessera.Cli;

return await TesseraCommandLine.RunAsync(args);
