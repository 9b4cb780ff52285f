/* The texts of io.corral.Supervisor.varlink and io.corral.Broker.varlink,
 * served by GetInterfaceDescription. */
#pragma once

#define CORRAL_SUPERVISOR_INTERFACE "io.corral.Supervisor"
extern const char corral_supervisor_interface[];

/* Labels under it are corrald's own (its jobs', workloads' and builds'
 * marks): no client's word, nor an image's */
#define LABEL_RESERVED_PREFIX "io.corral."

#define CORRAL_BROKER_INTERFACE "io.corral.Broker"
extern const char corral_broker_interface[];
