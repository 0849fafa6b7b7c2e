CREATE TABLE IF NOT EXISTS "__EFMigrationsHistory" (
    "MigrationId" TEXT NOT NULL CONSTRAINT "PK___EFMigrationsHistory" PRIMARY KEY,
    "ProductVersion" TEXT NOT NULL
);

BEGIN TRANSACTION;
CREATE TABLE "ApiKeys" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ApiKeys" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Role" TEXT NOT NULL,
    "Prefix" TEXT NOT NULL,
    "Hash" TEXT NOT NULL,
    "CreatedBy" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "LastUsedAt" INTEGER NULL
);

CREATE TABLE "AspNetRoles" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetRoles" PRIMARY KEY,
    "Name" TEXT NULL,
    "NormalizedName" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL
);

CREATE TABLE "AspNetUsers" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_AspNetUsers" PRIMARY KEY,
    "UserName" TEXT NULL,
    "NormalizedUserName" TEXT NULL,
    "Email" TEXT NULL,
    "NormalizedEmail" TEXT NULL,
    "EmailConfirmed" INTEGER NOT NULL,
    "PasswordHash" TEXT NULL,
    "SecurityStamp" TEXT NULL,
    "ConcurrencyStamp" TEXT NULL,
    "PhoneNumber" TEXT NULL,
    "PhoneNumberConfirmed" INTEGER NOT NULL,
    "TwoFactorEnabled" INTEGER NOT NULL,
    "LockoutEnd" INTEGER NULL,
    "LockoutEnabled" INTEGER NOT NULL,
    "AccessFailedCount" INTEGER NOT NULL
);

CREATE TABLE "Servers" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Servers" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT COLLATE NOCASE NOT NULL,
    "Command" TEXT NOT NULL,
    "WorkingDirectory" TEXT NOT NULL,
    "Environment" TEXT NOT NULL,
    "SecretEnvironmentKeys" TEXT NOT NULL,
    "Port" INTEGER NULL,
    "RconEnabled" INTEGER NOT NULL,
    "RconPort" INTEGER NULL,
    "RconPassword" TEXT NULL,
    "StopMode" TEXT NOT NULL,
    "StopCommand" TEXT NOT NULL,
    "StopTimeoutSeconds" INTEGER NOT NULL,
    "RestartPolicy" TEXT NOT NULL,
    "MaxMemoryMb" INTEGER NULL,
    "MaxOpenFiles" INTEGER NULL,
    "CpuWarnPercent" INTEGER NULL,
    "RunAsUser" TEXT NULL,
    "ReadyPattern" TEXT NULL,
    "LogFiles" TEXT NOT NULL,
    "Notes" TEXT NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL
);

CREATE TABLE "AspNetRoleClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetRoleClaims" PRIMARY KEY AUTOINCREMENT,
    "RoleId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetRoleClaims_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserClaims" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AspNetUserClaims" PRIMARY KEY AUTOINCREMENT,
    "UserId" TEXT NOT NULL,
    "ClaimType" TEXT NULL,
    "ClaimValue" TEXT NULL,
    CONSTRAINT "FK_AspNetUserClaims_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserLogins" (
    "LoginProvider" TEXT NOT NULL,
    "ProviderKey" TEXT NOT NULL,
    "ProviderDisplayName" TEXT NULL,
    "UserId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserLogins" PRIMARY KEY ("LoginProvider", "ProviderKey"),
    CONSTRAINT "FK_AspNetUserLogins_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserRoles" (
    "UserId" TEXT NOT NULL,
    "RoleId" TEXT NOT NULL,
    CONSTRAINT "PK_AspNetUserRoles" PRIMARY KEY ("UserId", "RoleId"),
    CONSTRAINT "FK_AspNetUserRoles_AspNetRoles_RoleId" FOREIGN KEY ("RoleId") REFERENCES "AspNetRoles" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_AspNetUserRoles_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "AspNetUserTokens" (
    "UserId" TEXT NOT NULL,
    "LoginProvider" TEXT NOT NULL,
    "Name" TEXT NOT NULL,
    "Value" TEXT NULL,
    CONSTRAINT "PK_AspNetUserTokens" PRIMARY KEY ("UserId", "LoginProvider", "Name"),
    CONSTRAINT "FK_AspNetUserTokens_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

CREATE UNIQUE INDEX "IX_ApiKeys_Prefix" ON "ApiKeys" ("Prefix");

CREATE INDEX "IX_AspNetRoleClaims_RoleId" ON "AspNetRoleClaims" ("RoleId");

CREATE UNIQUE INDEX "RoleNameIndex" ON "AspNetRoles" ("NormalizedName");

CREATE INDEX "IX_AspNetUserClaims_UserId" ON "AspNetUserClaims" ("UserId");

CREATE INDEX "IX_AspNetUserLogins_UserId" ON "AspNetUserLogins" ("UserId");

CREATE INDEX "IX_AspNetUserRoles_RoleId" ON "AspNetUserRoles" ("RoleId");

CREATE INDEX "EmailIndex" ON "AspNetUsers" ("NormalizedEmail");

CREATE UNIQUE INDEX "UserNameIndex" ON "AspNetUsers" ("NormalizedUserName");

CREATE UNIQUE INDEX "IX_Servers_Name" ON "Servers" ("Name");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122000821_Initial', '10.0.14');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "ServerRunStates" (
    "ServerId" INTEGER NOT NULL CONSTRAINT "PK_ServerRunStates" PRIMARY KEY,
    "ShouldRun" INTEGER NOT NULL,
    "LastExitKind" TEXT NULL,
    "LastExitCode" INTEGER NULL,
    "LastExitSignal" INTEGER NULL,
    "LastExitAt" INTEGER NULL,
    "LastExitRequested" INTEGER NOT NULL,
    "LastExitDescription" TEXT NULL,
    CONSTRAINT "FK_ServerRunStates_Servers_ServerId" FOREIGN KEY ("ServerId") REFERENCES "Servers" ("Id") ON DELETE CASCADE
);

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122001622_ServerRunState', '10.0.14');

COMMIT;

BEGIN TRANSACTION;
CREATE TABLE "AuditLog" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditLog" PRIMARY KEY AUTOINCREMENT,
    "At" INTEGER NOT NULL,
    "Actor" TEXT NOT NULL,
    "ServerId" INTEGER NULL,
    "ServerName" TEXT NULL,
    "Action" TEXT NOT NULL,
    "Detail" TEXT NOT NULL,
    "Result" TEXT NOT NULL,
    "Success" INTEGER NOT NULL,
    "SourceIp" TEXT NOT NULL
);

CREATE INDEX "IX_AuditLog_At" ON "AuditLog" ("At");

CREATE INDEX "IX_AuditLog_ServerId_At" ON "AuditLog" ("ServerId", "At");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122013742_AuditLog', '10.0.14');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "Servers" ADD "BrowserLinesPerSecond" INTEGER NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261122015754_BrowserThrottle', '10.0.14');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "ApiKeys" ADD "ExpiresAt" INTEGER NULL;

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201153201_ApiKeyExpiry', '10.0.14');

COMMIT;

BEGIN TRANSACTION;
ALTER TABLE "Servers" ADD "LimitAction" TEXT NOT NULL DEFAULT 'Warn';

ALTER TABLE "Servers" ADD "MaxCpuPercent" INTEGER NULL;

ALTER TABLE "Servers" ADD "MaxProcesses" INTEGER NULL;

ALTER TABLE "Servers" ADD "RestartOnUnhealthy" INTEGER NOT NULL DEFAULT 0;

ALTER TABLE "Servers" ADD "StartupTimeoutSeconds" INTEGER NULL;

CREATE TABLE "CrashRecords" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_CrashRecords" PRIMARY KEY AUTOINCREMENT,
    "ServerId" INTEGER NOT NULL,
    "At" INTEGER NOT NULL,
    "ExitCode" INTEGER NULL,
    "Signal" INTEGER NULL,
    "UptimeSeconds" REAL NULL,
    "Classification" TEXT NOT NULL,
    "Description" TEXT NOT NULL,
    "LastLines" TEXT NOT NULL,
    CONSTRAINT "FK_CrashRecords_Servers_ServerId" FOREIGN KEY ("ServerId") REFERENCES "Servers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "JobTypes" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_JobTypes" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT COLLATE NOCASE NOT NULL,
    "Argv" TEXT NOT NULL,
    "WorkingDirectory" TEXT NULL,
    "Environment" TEXT NOT NULL,
    "TimeoutSeconds" INTEGER NULL,
    "MaxConcurrent" INTEGER NOT NULL,
    "ServerId" INTEGER NULL,
    "CreatedAt" INTEGER NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "FK_JobTypes_Servers_ServerId" FOREIGN KEY ("ServerId") REFERENCES "Servers" ("Id") ON DELETE CASCADE
);

CREATE TABLE "ManagedPorts" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ManagedPorts" PRIMARY KEY AUTOINCREMENT,
    "Name" TEXT NOT NULL,
    "Port" INTEGER NOT NULL,
    "Protocol" TEXT NOT NULL,
    "Note" TEXT NULL,
    "CreatedAt" INTEGER NOT NULL
);

CREATE TABLE "ResourceSamples" (
    "ServerId" INTEGER NOT NULL,
    "ResolutionSeconds" INTEGER NOT NULL,
    "AtUnixMs" INTEGER NOT NULL,
    "CpuPercent" REAL NULL,
    "MemoryBytes" INTEGER NULL,
    "OpenFiles" INTEGER NULL,
    "Threads" INTEGER NULL,
    CONSTRAINT "PK_ResourceSamples" PRIMARY KEY ("ServerId", "ResolutionSeconds", "AtUnixMs")
);

CREATE TABLE "ServerTransitions" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_ServerTransitions" PRIMARY KEY AUTOINCREMENT,
    "ServerId" INTEGER NOT NULL,
    "From" TEXT NOT NULL,
    "To" TEXT NOT NULL,
    "Reason" TEXT NULL,
    "At" INTEGER NOT NULL,
    "Actor" TEXT NOT NULL,
    CONSTRAINT "FK_ServerTransitions_Servers_ServerId" FOREIGN KEY ("ServerId") REFERENCES "Servers" ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_CrashRecords_ServerId_Id" ON "CrashRecords" ("ServerId", "Id");

CREATE UNIQUE INDEX "IX_JobTypes_Name" ON "JobTypes" ("Name");

CREATE INDEX "IX_JobTypes_ServerId" ON "JobTypes" ("ServerId");

CREATE UNIQUE INDEX "IX_ManagedPorts_Port_Protocol" ON "ManagedPorts" ("Port", "Protocol");

CREATE INDEX "IX_ResourceSamples_ResolutionSeconds_AtUnixMs" ON "ResourceSamples" ("ResolutionSeconds", "AtUnixMs");

CREATE INDEX "IX_ServerTransitions_ServerId_Id" ON "ServerTransitions" ("ServerId", "Id");

INSERT INTO "__EFMigrationsHistory" ("MigrationId", "ProductVersion")
VALUES ('20261201194348_SupervisionHistoryJobsPortsCgroups', '10.0.14');

COMMIT;

