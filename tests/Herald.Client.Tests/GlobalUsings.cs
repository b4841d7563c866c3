global using Herald.Client.Tests.Scripted;
global using Herald.Testing;
