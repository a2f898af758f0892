/*
 * Licensed to the Apache Software Foundation (ASF) under one or more
 * contributor license agreements.  See the NOTICE file distributed with
 * this work for additional information regarding copyright ownership.
 * The ASF licenses this file to You under the Apache License, Version 2.0
 * (the "License"); you may not use this file except in compliance with
 * the License.  You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package org.apache.flink.kubernetes.operator.controller.bluegreen.handlers;

import org.apache.flink.kubernetes.operator.api.FlinkBlueGreenDeployment;
import org.apache.flink.kubernetes.operator.api.bluegreen.BlueGreenDeploymentType;
import org.apache.flink.kubernetes.operator.api.status.FlinkBlueGreenDeploymentState;
import org.apache.flink.kubernetes.operator.controller.bluegreen.BlueGreenContext;
import org.apache.flink.kubernetes.operator.controller.bluegreen.BlueGreenDeploymentService;

import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;

/** Consolidated state handler for both TRANSITIONING_TO_BLUE and TRANSITIONING_TO_GREEN states. */
public class TransitioningStateHandler extends AbstractBlueGreenStateHandler {

    public TransitioningStateHandler(
            FlinkBlueGreenDeploymentState supportedState,
            BlueGreenDeploymentService deploymentService) {
        super(supportedState, deploymentService);
    }

    @Override
    public UpdateControl<FlinkBlueGreenDeployment> handle(BlueGreenContext context) {
        BlueGreenDeploymentType currentType = getCurrentDeploymentType();
        return deploymentService.monitorTransition(context, currentType);
    }

    private BlueGreenDeploymentType getCurrentDeploymentType() {
        return getSupportedState() == FlinkBlueGreenDeploymentState.TRANSITIONING_TO_BLUE
                ? BlueGreenDeploymentType.GREEN // Transitioning FROM green TO blue
                : BlueGreenDeploymentType.BLUE; // Transitioning FROM blue TO green
    }
}
