/* The texts of io.corral.Supervisor.varlink and io.corral.Broker.varlink,
 * served by GetInterfaceDescription. */
#pragma once

#define CORRAL_SUPERVISOR_INTERFACE "io.corral.Supervisor"
extern const char corral_supervisor_interface[];

#define CORRAL_BROKER_INTERFACE "io.corral.Broker"
extern const char corral_broker_interface[];
