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

package org.apache.flink.kubernetes.operator.api.spec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/** Allows to deserialize to ConfigObjectNode. */
public class ConfigObjectNodeDeserializer extends JsonDeserializer<ConfigObjectNode> {

    @Override
    public ConfigObjectNode deserialize(
            JsonParser jsonParser, DeserializationContext deserializationContext)
            throws IOException {
        ObjectNode tree = jsonParser.readValueAsTree();
        var res = new ConfigObjectNode();
        tree.fields().forEachRemaining(entry -> res.set(entry.getKey(), entry.getValue()));
        return res;
    }
}
