/* The text of io.corral.Supervisor.varlink, served by GetInterfaceDescription. */
#pragma once

#define CORRAL_SUPERVISOR_INTERFACE "io.corral.Supervisor"
extern const char corral_supervisor_interface[];
