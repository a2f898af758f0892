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

package org.apache.flink.kubernetes.operator.observer;

import lombok.Value;

/** Result of fetching checkpoint stats, currently consisting only of its result path. */
@Value
public class CheckpointStatsResult {
    String path;
    boolean pending;
    String error;

    public static CheckpointStatsResult error(String error) {
        return new CheckpointStatsResult(null, false, error);
    }

    public static CheckpointStatsResult pending() {
        return new CheckpointStatsResult(null, true, null);
    }

    public static CheckpointStatsResult completed(String path) {
        return new CheckpointStatsResult(path, false, null);
    }
}
